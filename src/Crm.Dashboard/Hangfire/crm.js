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

// Hangfire posts a button's data-ajax command and reloads the page when it succeeds, but does nothing when it is
// refused: the button said "Rolling back…" for ever and the reason (the plain-text body of a 422, see
// AsyncCommandDispatcher and ScheduleCommand) was never shown. Show it above the page and give the button back.
(function ($) {
    if (!$) {
        return;
    }

    $(document).ajaxError(function (event, xhr, settings) {
        var button = $('[data-ajax]').filter(function () { return $(this).data('ajax') === settings.url; });
        if (button.length === 0) {
            return;
        }

        setTimeout(function () { button.button('reset'); }, 150);
        var reason = (xhr.responseText || '').trim();
        if (!reason) {
            reason = xhr.status === 0
                ? 'The dashboard did not answer: check that crm serve (or crm dashboard) is running, then reload the page.'
                : xhr.status === 403
                    ? 'Refused: your role may only look; sign in as an admin to do this.'
                    : 'Refused (' + xhr.status + ' ' + (xhr.statusText || '') + '): reload the page and try again.';
        }

        $('#crm-refused').remove();
        var box = $('<div class="alert alert-danger" id="crm-refused" role="alert"></div>').text(reason);
        var header = $('h1.page-header').first();
        if (header.length) {
            box.insertAfter(header);
        } else {
            box.prependTo($('.container').first());
        }
    });
})(window.jQuery);
