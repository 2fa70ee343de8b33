import { describe, expect, it } from 'vitest';
import { clean, contentHash, documentText, regionKeyOf, splitMulti } from '../../src/modules/dataload/normalise.ts';
import { parseGov24 } from '../../src/modules/dataload/sources/gov24.ts';
import { parseWork24, work24Key } from '../../src/modules/dataload/sources/work24.ts';
import { normaliseYouth, parseYouth } from '../../src/modules/dataload/sources/youth.ts';
import { describeRequest, summariseBody } from '../../src/modules/dataload/public-api-client.ts';
import { dot, LexicalEmbedder, lexicalFeatures } from '../../src/vector/lexical-embedder.ts';

const embedder = new LexicalEmbedder();
const similarity = (a: string, b: string): number => dot(embedder.embedOne(a), embedder.embedOne(b));

describe('lexical embedder', () => {
  it('matches a stem with its particle: 정책을 shares the bigram 정책', () => {
    expect(lexicalFeatures('정책을').has('2:정책')).toBe(true);
    expect(lexicalFeatures('정책').has('2:정책')).toBe(true);
    expect(similarity('청년 정책을 찾습니다', '청년정책')).toBeGreaterThan(similarity('청년 정책을 찾습니다', '자동차 보험료'));
    expect(similarity('정책을', '정책')).toBeGreaterThan(0.3);
  });

  it('returns L2-normalised, deterministic vectors of the fixed dimension', () => {
    const vector = embedder.embedOne('청년 월세 지원 사업');
    expect(vector).toHaveLength(1024);
    expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 10);
    expect(new LexicalEmbedder().embedOne('청년 월세 지원 사업')).toEqual(vector);
    expect(Math.sqrt(dot(embedder.embedOne(''), embedder.embedOne('')))).toBeCloseTo(1, 10);
  });

  it('ranks the text that shares the query words above one that does not', () => {
    const query = '청년 월세 지원';
    const rent = '정책명: 서울시 청년월세지원\n정책 내용: 월 20만원 월세 지원';
    const jobs = '정책명: 청년 면접수당\n정책 내용: 면접 1회당 5만원 지원';
    expect(similarity(query, rent)).toBeGreaterThan(similarity(query, jobs));
  });

  it('names itself with its dimension, so a collection records which one built it', async () => {
    expect(new LexicalEmbedder(512).id).toBe('lexical-ngram-v1:512');
    expect(await embedder.embed(['a', 'b'])).toHaveLength(2);
  });
});

describe('normalising source values', () => {
  it('cleans blanks, CRLF and ||-joined values', () => {
    expect(clean(' ')).toBe('');
    expect(clean('○ 첫째\r\n○ 둘째  ')).toBe('○ 첫째\n○ 둘째');
    expect(clean(42)).toBe('42');
    expect(splitMulti('기타 온라인신청||방문신청')).toEqual(['기타 온라인신청', '방문신청']);
  });

  it('derives region keys from names', () => {
    expect(regionKeyOf('서울특별시 강남구')).toBe('서울');
    expect(regionKeyOf('서울특별시')).toBe('서울');
    expect(regionKeyOf('서울 강남구')).toBe('서울');
    expect(regionKeyOf('창원고용센터')).toBe('경남');
    expect(regionKeyOf('보건복지부')).toBe('전국');
  });

  it('builds labelled lines and a hash that changes with the content', () => {
    const doc = normaliseYouth({ plcyNo: '20260806005400213322', plcyNm: '청년 정책', plcySprtCn: '월 10만원', zipCd: '11110' });
    if (!doc) throw new Error('not normalised');
    expect(documentText(doc)).toContain('정책명: 청년 정책\n출처: 온통청년');
    expect(contentHash(doc)).toBe(contentHash({ ...doc }));
    expect(contentHash({ ...doc, content: '월 20만원' })).not.toBe(contentHash(doc));
    // The structured fields count too: a new condition flag or parsed date is a change.
    expect(contentHash({ ...doc, ageMax: 39 })).not.toBe(contentHash(doc));
    expect(contentHash({ ...doc, periodKind: 'closed' })).not.toBe(contentHash(doc));
    expect(normaliseYouth({ plcyNo: ' ', plcyNm: '제목' })).toBeUndefined();
  });

  it('keeps the 고용24 derived key stable and distinct per session', () => {
    const item = { orgNm: '서울강남고용센터', pgmNm: '취업희망 프로그램', pgmSubNm: '1기', pgmStdt: '20260105' };
    expect(work24Key(item)).toBe(work24Key({ ...item, openTime: '10:00' }));
    expect(work24Key(item)).not.toBe(work24Key({ ...item, pgmStdt: '20260112' }));
  });
});

describe('parsing API bodies', () => {
  it('reads 고용24 errors from HTTP 200 bodies, and treats a body without <total> as an error', () => {
    expect(parseWork24({ status: 200, body: '<GO24><error>인증키가 존재하지 않습니다</error></GO24>' })).toMatchObject({ ok: false, failure: 'auth' });
    expect(parseWork24({ status: 200, body: '<GO24><error>일일 호출 건수를 초과하였습니다</error></GO24>' })).toMatchObject({ ok: false, failure: 'quota' });
    expect(parseWork24({ status: 200, body: '<root><display>10</display></root>' })).toMatchObject({ ok: false, failure: 'malformed' });
    expect(parseWork24({ status: 200, body: '<root><total>3</total><empPgmSchdInvite><pgmNm>A' })).toMatchObject({ ok: false, failure: 'malformed' });
    expect(parseWork24({ status: 200, body: '' })).toMatchObject({ ok: false, failure: 'malformed' });
    expect(parseWork24({ status: 200, body: '<r><message>정보가 존재하지 않습니다.</message><messageCd>006</messageCd></r>' })).toEqual({
      ok: true,
      value: { total: 0, items: [] },
    });
    const one = parseWork24({ status: 200, body: '<?xml version="1.0"?><r><total>1</total><empPgmSchdInvite><pgmStdt>20260105</pgmStdt></empPgmSchdInvite></r>' });
    expect(one).toEqual({ ok: true, value: { total: 1, items: [{ pgmStdt: '20260105' }] } });
  });

  it('classifies odcloud codes by body, not by status', () => {
    expect(parseGov24({ status: 400, body: '{"code":-10,"msg":"트래픽 허용 횟수를 초과하였습니다."}' })).toMatchObject({ ok: false, failure: 'quota' });
    expect(parseGov24({ status: 401, body: '{"code":-4,"msg":"등록되지 않은 인증키 입니다."}' })).toMatchObject({ ok: false, failure: 'auth' });
    expect(parseGov24({ status: 200, body: '{"page":1,"perPage":10,"totalCount' })).toMatchObject({ ok: false, failure: 'malformed' });
  });

  it('reads the 온통청년 envelope, pagging spelling included', () => {
    expect(parseYouth({ status: 403, body: '{"errorCode":"e001","errorMsg":"invalid api key."}' })).toMatchObject({ ok: false, failure: 'auth' });
    const ok = parseYouth({
      status: 200,
      body: '{"resultCode":200,"resultMessage":"성공","result":{"pagging":{"totCount":1,"pageNum":1,"pageSize":10},"youthPolicyList":[{"plcyNo":"1","inqCnt":5}]}}',
    });
    expect(ok).toEqual({ ok: true, value: { totCount: 1, items: [{ plcyNo: '1', inqCnt: '5' }] } });
  });
});

describe('public API failure messages', () => {
  it('summarise an HTML error page to its title and cut long text, never keeping markup', () => {
    const page = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>h1{}</style></head><body><h1>Bad</h1></body></html>';
    expect(summariseBody(page)).toBe('HTML: 502 Bad Gateway');
    expect(summariseBody('<html><body><p>서비스   점검 중</p></body></html>')).toBe('HTML: 서비스 점검 중');
    expect(summariseBody('x'.repeat(300))).toHaveLength(120);
    expect(summariseBody('{"resultCode": 500}')).toBe('{"resultCode": 500}');
  });

  it('name the request by host, path and page, never its query (keys travel there)', () => {
    expect(describeRequest('https://www.youthcenter.go.kr/go/ythip/getPlcy?apiKeyNm=SECRET&pageNum=3&pageSize=100')).toBe(
      'www.youthcenter.go.kr/go/ythip/getPlcy, 3쪽',
    );
    expect(describeRequest('https://api.odcloud.kr/api/gov24/v3/serviceList?serviceKey=SECRET')).toBe('api.odcloud.kr/api/gov24/v3/serviceList');
  });

  it('count a body in bytes, not characters', () => {
    const parsed = parseYouth({ status: 200, body: '점검 중' });
    expect(parsed).toMatchObject({ ok: false, detail: expect.stringContaining(`${Buffer.byteLength('점검 중')} bytes`) as unknown });
  });
});
