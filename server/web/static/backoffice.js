// Back office: small progressive enhancements; every page works without it.
(function () {
  'use strict';
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener('submit', function (e) {
    var b = e.submitter;
    if (b && b.dataset.confirm && !window.confirm(b.dataset.confirm)) e.preventDefault();
  });
})();
// Sellers: deadlines counting down. A <time datetime data-countdown> shows
// the time left, server-rendered; this keeps it current every 30 s.
(function () {
  'use strict';
  var els = document.querySelectorAll('time[data-countdown]');
  if (!els.length) return;
  function left(ms) {
    var late = ms < 0, m = Math.floor(Math.abs(ms) / 60000), s;
    if (m < 60) s = m + ' min';
    else if (m < 72 * 60) s = Math.floor(m / 60) + ' h ' + ('0' + (m % 60)).slice(-2) + ' min';
    else s = Math.floor(m / 1440) + ' days';
    return s + (late ? ' overdue' : ' left');
  }
  function tick() {
    for (var i = 0; i < els.length; i++) {
      var t = Date.parse(els[i].getAttribute('datetime'));
      if (!isNaN(t)) els[i].textContent = left(t - Date.now());
    }
  }
  tick();
  setInterval(tick, 30000);
})();
