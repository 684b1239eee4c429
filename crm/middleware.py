"""Language selection (Chinese unless the user picked another language in the header) and the
refusal of NUL characters in any parameter."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import check_for_language


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's, but ignores the browser's Accept-Language: staff of a Chinese company
    often run English-configured browsers and still expect the product in Chinese. The
    language cookie set by the header switch is the only way to change it."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not language or not check_for_language(language):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RefuseNulMiddleware:
    """Refuse, with a 400 page, any request whose query string or form fields carry a NUL
    character (issue 12, defect 11). PostgreSQL cannot store one in a text column and raises
    on the query, so it would be a 500 wherever the value reaches the database; no form of the
    product has a use for one. One check here covers every view, the admin and the views of
    tomorrow; uploaded files are not inspected (a workbook is binary)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _carries_nul(request.GET) or (request.method == "POST" and _carries_nul(request.POST)):
            return render(request, "crm/bad_input.html", status=400)
        return self.get_response(request)


def _carries_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class PasswordChangeRequiredMiddleware:
    """A person whose password somebody else set (an administrator's reset, a new account)
    chooses their own before anything else (SPEC §9): every page but the password change, log
    out, the language switch and static files sends them there. The flag is on the user row
    loaded with the session, so this costs no query."""

    ALLOWED_URL_NAMES = ("password_change", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            from django.conf import settings
            from django.shortcuts import redirect
            from django.urls import reverse

            allowed = {reverse(name) for name in self.ALLOWED_URL_NAMES}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                return redirect(reverse("password_change"))
        return self.get_response(request)
