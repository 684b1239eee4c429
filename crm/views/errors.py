"""The error pages (403, 404, 500 and a refused CSRF check) in the site's own look, in the
reader's language, each with a way back: 返回工作台, and 返回上一页 when the browser said where it
came from (this site only; no script, the Content-Security-Policy allows none inline).

403, 404 and the CSRF page extend base.html (header and navigation for a logged-in person). The
500 page renders templates/500.html with a plain context: no context processors, no session, no
database, so it still answers when the database is what failed. None of them shows the exception's
text or anything about the object asked for: "not found" reads the same whether the object does
not exist or the reader may not see it."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme


def came_from(request) -> str | None:
    """The page the browser came from, if it is a page of this site (else None)."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return None
    try:
        if referer.split("#")[0] == request.build_absolute_uri():
            return None
        allowed = url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    except Exception:  # a refused Host header: no back link rather than a second error
        return None
    return referer if allowed else None


def permission_denied(request, exception=None):
    return render(request, "403.html", {"back": came_from(request)}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", {"back": came_from(request)}, status=404)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the form was stale (an old tab, an expired session) or sent from
    elsewhere. `reason` is for the log, not the reader."""
    return render(request, "403_csrf.html", {"back": came_from(request)}, status=403)


def server_error(request):
    """handler500: a plain Context, so no context processor (session, user, navigation) runs."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"back": came_from(request)}))
