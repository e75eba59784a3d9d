// Live progress of a running audit: polls /audits/{id}/progress and updates the page; reloads it when the
// audit has finished so that the report shows. Without this script the page has a reload link.
(function () {
  'use strict';
  var box = document.getElementById('audit-progress');
  if (!box) return;
  var url = box.getAttribute('data-progress-url');
  var bar = document.getElementById('audit-bar');
  var text = document.getElementById('audit-progress-text');
  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (run) {
        if (!run) return;
        var total = run.records_total || 0, done = run.records_checked || 0;
        var percent = total > 0 ? Math.floor(done * 100 / total) : 0;
        bar.value = percent;
        bar.textContent = percent + '%';
        text.textContent = done + ' / ' + total + '(' + percent + '%)';
        if (['succeeded', 'failed', 'cancelled'].indexOf(run.status) >= 0) window.location.reload();
        else window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
