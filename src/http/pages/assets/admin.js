/* global document, window, fetch */
// The admin's only script (CSP allows no inline script): live progress of a sending notice.
// Elements with data-live="<json url>" are refreshed every second from that URL; each
// [data-count="<key>"] inside shows that key of the answer. When the sending is over, or a new
// failure appears, the page reloads (without the one-time ?msg=) so the server renders the lists.
'use strict';

function startLive(root) {
  const url = root.getAttribute('data-live');
  if (!url) return;
  let lastFailed = null;
  const tick = () => {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
      .then((data) => {
        for (const element of root.querySelectorAll('[data-count]')) {
          const key = element.getAttribute('data-count');
          if (key && key in data) element.textContent = String(data[key]);
        }
        const bar = root.querySelector('progress');
        if (bar && typeof data.total === 'number') {
          bar.max = Math.max(1, data.total);
          bar.value = data.total - data.pending;
        }
        if (lastFailed !== null && data.failed !== lastFailed) {
          window.location.replace(window.location.pathname);
          return;
        }
        lastFailed = data.failed;
        if (data.done) {
          window.location.replace(window.location.pathname);
          return;
        }
        window.setTimeout(tick, 1000);
      })
      .catch(() => window.setTimeout(tick, 3000));
  };
  window.setTimeout(tick, 1000);
}

document.addEventListener('DOMContentLoaded', () => {
  for (const element of document.querySelectorAll('[data-live]')) startLive(element);
});
