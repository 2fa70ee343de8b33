import { describe, expect, it } from 'vitest';
import { linkifyText } from '../../src/utils/html.ts';

describe('linkifyText (the dev mailbox shows plain-text mail with clickable links)', () => {
  it('stops a link where the URL ends, leaving the Korean text and the closing parenthesis after it', () => {
    expect(linkifyText('자세한 내용은 복지로(https://www.bokjiro.go.kr)에서 확인하세요.').__html).toBe(
      '자세한 내용은 복지로(<a href="https://www.bokjiro.go.kr">https://www.bokjiro.go.kr</a>)에서 확인하세요.',
    );
  });

  it('keeps sentence punctuation out and balanced parentheses in, and escapes the rest', () => {
    expect(linkifyText('열기: https://a.kr/x?t=1&b=2. 끝').__html).toBe('열기: <a href="https://a.kr/x?t=1&amp;b=2">https://a.kr/x?t=1&amp;b=2</a>. 끝');
    expect(linkifyText('https://ko.wikipedia.org/wiki/A_(B)').__html).toBe(
      '<a href="https://ko.wikipedia.org/wiki/A_(B)">https://ko.wikipedia.org/wiki/A_(B)</a>',
    );
    expect(linkifyText('<b>https://a.kr</b>').__html).toBe('&lt;b&gt;<a href="https://a.kr">https://a.kr</a>&lt;/b&gt;');
  });
});
