/* global document, window, fetch, FormData, TextDecoder */
// Ask AInfo's page script: streams the answer (SSE over fetch) instead of posting the whole page.
// Without it the form posts and the server renders the full answer; nothing here is required.
'use strict';
(function () {
  const form = document.querySelector('form.ask-form');
  const turns = document.querySelector('section.turns');
  if (!form || !turns || !window.fetch || !window.TextDecoder) return;

  const STATUS = { open: ['신청 중', 'open'], upcoming: ['예정', 'upcoming'], closed: ['마감', 'closed'], always: ['상시', 'always'] };

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children || []) node.append(child);
    return node;
  }

  function citationList(citations) {
    const list = el('ol', { className: 'citations' });
    for (const citation of citations) {
      const item = el('li');
      item.dataset.id = citation.id;
      const badge = STATUS[citation.status];
      if (badge) {
        const span = el('span', { className: 'badge status ' + badge[1], textContent: badge[0] });
        span.dataset.status = citation.status;
        item.append(span);
      }
      item.append(el('a', { href: '/policies/' + encodeURIComponent(citation.id), textContent: citation.title }));
      list.append(item);
    }
    return list;
  }

  function feedbackForm(messageId) {
    const box = el('form', { className: 'feedback' });
    box.dataset.message = messageId;
    box.append(el('span', { textContent: '이 답변이 도움이 되었나요?' }));
    for (const [value, label] of [['up', '👍 도움이 됐어요'], ['down', '👎 아쉬워요']]) {
      const button = el('button', { type: 'button', textContent: label });
      button.addEventListener('click', async () => {
        const response = await fetch('/api/ask/' + encodeURIComponent(messageId) + '/feedback', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ value }),
        });
        if (response.ok) for (const other of box.querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === button));
      });
      box.append(' ', button);
    }
    return box;
  }

  function showError(message) {
    let notice = document.querySelector('.ask p.notice');
    if (!notice) {
      notice = el('p', { className: 'notice' });
      notice.setAttribute('role', 'alert');
      form.before(notice);
    }
    notice.textContent = message;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const question = String(data.get('question') || '').trim();
    if (!question) return;
    const body = { question };
    const conversationId = String(data.get('conversationId') || '');
    if (conversationId) body.conversationId = conversationId;
    const profile = {};
    const age = String(data.get('age') || '').trim();
    const region = String(data.get('region') || '').trim();
    if (age) profile.age = Number(age);
    if (region) profile.region = region;
    if (age || region) body.profile = profile;

    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    const answer = el('div', { className: 'answer' });
    const turn = el('article', { className: 'turn streaming' }, [
      el('p', { className: 'question' }, [el('strong', { textContent: '질문' }), ' ' + question]),
      answer,
    ]);
    try {
      const response = await fetch('/api/ask', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify(body),
      });
      if (!response.ok || !response.body) {
        const failure = await response.json().catch(() => null);
        showError((failure && failure.error && failure.error.message) || '답변을 받지 못했습니다. 잠시 뒤에 다시 시도해 주세요.');
        return;
      }
      const old = document.querySelector('.ask p.notice');
      if (old) old.remove();
      turns.append(turn);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = (/^event: (.*)$/m.exec(block) || [])[1];
          const line = (/^data: (.*)$/m.exec(block) || [])[1];
          if (!name || line === undefined) continue;
          const payload = JSON.parse(line);
          if (name === 'token') answer.textContent += payload.text;
          else if (name === 'citations') turn.append(citationList(payload.citations));
          else if (name === 'done') {
            turn.id = 'm-' + payload.messageId;
            turn.classList.remove('streaming');
            turn.append(feedbackForm(payload.messageId));
            form.querySelector('input[name=conversationId]').value = payload.conversationId;
            form.querySelector('textarea[name=question]').value = '';
          } else if (name === 'error') showError(payload.error.message);
        }
      }
    } catch {
      showError('연결이 끊겼습니다. 다시 시도해 주세요.');
    } finally {
      button.disabled = false;
    }
  });
})();
