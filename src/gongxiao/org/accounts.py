"""The password-change page, throttled like the login.

A wrong old password is a failed login for django-axes: it is counted against the same
username + browser address as the login form, and after AXES_FAILURE_LIMIT failures the page
refuses every attempt (the right password included) until the cool-off passes or an
administrator unlocks the account. Failures on either form count together, so a stolen session
gives no more guesses than the login page does.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LOCKED_MESSAGE = _(
    "Too many wrong passwords: changing the password is locked for an hour. Try again later, "
    "or ask the administrator to unlock the account."
)


class ThrottledPasswordChangeForm(PasswordChangeForm):
    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        self.locked_out = False
        super().__init__(user, *args, **kwargs)

    def _credentials(self) -> dict:
        return {"username": self.user.get_username()}

    def clean_old_password(self):
        credentials = self._credentials()
        # Locked: refuse before the password is even checked, so guessing goes no further.
        if AxesProxyHandler.is_locked(self.request, credentials):
            self.locked_out = True
            raise ValidationError(LOCKED_MESSAGE, code="locked_out")
        try:
            return super().clean_old_password()
        except ValidationError:
            user_login_failed.send(sender=type(self), credentials=credentials, request=self.request)
            if AxesProxyHandler.is_locked(self.request, credentials):
                self.locked_out = True
                raise ValidationError(LOCKED_MESSAGE, code="locked_out") from None
            raise


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked_out:
            # This page says why itself; axes' middleware would put the login lockout page here.
            self.request.axes_locked_out = False  # type: ignore[attr-defined]  # axes' own
            response.status_code = 429
        return response
