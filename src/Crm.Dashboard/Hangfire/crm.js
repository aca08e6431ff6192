// Hangfire's footer shows "Application Time" in the browser's own format (moment's 'l LTS': 12/7/2026 10:44:04 PM),
// and refreshes it every 30 seconds. Our pages show every moment as ISO 8601 with its zone, in Crm:Display:TimeZone;
// the footer follows them. A page of ours names the moment in its display zone (#crm-now, written by the server);
// elsewhere the moment is shown in UTC. This runs before Hangfire's page starts (it waits for the document to be
// ready), so with the attribute gone Hangfire leaves the text alone.
(function () {
    var now = document.getElementById('crm-now');
    var spans = document.querySelectorAll('[data-moment-local]');
    for (var i = 0; i < spans.length; i++) {
        var span = spans[i];
        var seconds = parseInt(span.getAttribute('data-moment-local'), 10);
        span.removeAttribute('data-moment-local');
        if (now && span.closest('#footer')) {
            span.textContent = now.getAttribute('data-time');
        } else if (!isNaN(seconds)) {
            span.textContent = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        }
    }
})();
