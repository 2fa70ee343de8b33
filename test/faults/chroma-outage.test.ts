import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/modules/dataload/sample-data.ts';
import { ProcessStack, type HttpOutcome } from '../helpers/process-stack.ts';
import { waitUntil } from '../notifications/notices.fixtures.ts';
import { holdFor, reportFault } from './fault-report.ts';
import { LoadWatch } from './loads.ts';

const DROPPED = 200;
const SEARCH = '/api/policies/search?q=%EC%B2%AD%EB%85%84%20%EC%9B%94%EC%84%B8';
/** Search reads the collection's embedder stamp and catalogue version at most every 5 s (it used to be 10 s); a longer outage also reaches that read. */
const PAST_THE_CACHE_MS = 11_000;

/**
 * The Chroma server stopped while a load is fetching (its writes, and the delete of what the
 * source no longer lists, come later) and while people search. The run must fail and delete
 * nothing; search must answer a clear 503 at once, and work again when Chroma is back.
 */
describe('Chroma stopped during a load and during search', () => {
  let stack: ProcessStack;
  let load: LoadWatch;
  const searches: { label: string; outcome: HttpOutcome }[] = [];
  let afterRestart: HttpOutcome | undefined;

  beforeAll(async () => {
    stack = await ProcessStack.start({
      label: 'chroma-outage',
      publicData: { dataset: generateDataset({ gov24: 0, youth: 2_000, work24: 0 }) },
      env: { PUBLIC_API_REQUESTS_PER_SECOND: '2' },
    });
    await Promise.all([stack.startWeb(), stack.startWorker()]);
    load = new LoadWatch(stack, 'youth');
    await load.loadOnce();
    // A complete run would now delete 200 documents and rewrite the rest; this one must do neither.
    load.dropRecords(DROPPED);
    load.reviseAll();

    await load.enqueue();
    await waitUntil(() => load.pagesFetched() >= 4, 60_000, 'the load fetching');
    // A search just before the stop: the outage starts with the stamp freshly cached, as it would under steady traffic.
    const primed = await stack.request('GET', SEARCH);
    const primedAt = Date.now();
    if (primed.status !== 200) throw new Error(`search before the stop: ${JSON.stringify(primed)}`);
    await stack.chroma?.stop();
    searches.push({ label: 'atOnce', outcome: await stack.request('GET', SEARCH, { timeoutMs: 30_000 }) });
    await holdFor(PAST_THE_CACHE_MS - (Date.now() - primedAt));
    searches.push({ label: 'after11s', outcome: await stack.request('GET', SEARCH, { timeoutMs: 30_000 }) });
    await load.waitForOutcome(60_000);
    await stack.chroma?.start();
    await waitUntil(async () => (afterRestart = await stack.request('GET', SEARCH)).status === 200, 30_000, 'search back').catch(() => undefined);
  }, 240_000);

  afterAll(async () => {
    await stack.close();
  });

  it('fails the run and deletes nothing', async () => {
    const figures = await load.figures();
    reportFault('chroma-stopped-load', { ...figures, droppedAtSource: DROPPED });
    expect(figures.runs).toBe('FAILED');
    expect(figures.documentsLost).toBe(0);
    expect(figures.documentsAfter).toBe(figures.documentsBefore);
  });

  const expectClear503 = (label: string): void => {
    const found = searches.find((search) => search.label === label);
    const outcome = found?.outcome;
    const error = (outcome?.body as { error?: { code?: string } } | undefined)?.error;
    reportFault(`chroma-stopped-search-${label}`, { status: outcome?.status ?? '-', ms: Math.round(outcome?.ms ?? 0), code: error?.code ?? '-' });
    expect(outcome?.status).toBe(503);
    expect(outcome?.ms).toBeLessThan(2_000);
    expect(outcome?.body).toMatchObject({ error: { code: 'SEARCH_UNAVAILABLE', message: expect.stringContaining('정책 검색') as unknown } });
  };

  it('answers search at once with a fast 503 naming the search', () => {
    expectClear503('atOnce');
  });

  it('still answers a 503, not a 500, once Chroma has been down for more than 10 s', () => {
    expectClear503('after11s');
  });

  it('serves search again once Chroma is back', () => {
    reportFault('chroma-restarted-search', { status: afterRestart?.status ?? '-' });
    expect(afterRestart?.status).toBe(200);
  });
});
