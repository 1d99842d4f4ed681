// Back office: small progressive enhancements; every page works without it.
(function () {
  'use strict';
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener('submit', function (e) {
    var b = e.submitter;
    if (b && b.dataset.confirm && !window.confirm(b.dataset.confirm)) e.preventDefault();
  });
})();
