from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token

from gongxiao.core.api import build_router, job_detail
from gongxiao.org.accounts import PasswordChangeView
from gongxiao.org.api import UnitViewSet

# Swagger UI sets style attributes from its scripts; only this page allows inline styles.
api_docs = csp_override({**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

api_router = build_router()
api_router.register("org/units", UnitViewSet, basename="api-org-units")

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/token/", obtain_auth_token, name="api-token"),
    path("api/jobs/<uuid:pk>/", job_detail, name="api-job"),
    path("api/", include(api_router.urls)),
    path("org/", include("gongxiao.org.urls")),
    path("rectification/", include("gongxiao.rectification.urls")),
    path("decisions/", include("gongxiao.decisions.urls")),
    path("supervision/", include("gongxiao.supervision.urls")),
    path("assets/", include("gongxiao.assets.urls")),
    path("accounting/", include("gongxiao.accounting.urls")),
    path("assessment/", include("gongxiao.assessment.urls")),
    path("reports/", include("gongxiao.reports.urls")),
    path("", include("gongxiao.core.urls")),
]
