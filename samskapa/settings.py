"""The one settings module. Everything that differs between machines comes from the environment.

See README.md, "Configuration", for each variable.
"""

import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from samskapa.core.env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
# Commands that only read and write code need no key, so a newcomer can run them bare.
_CODE_ONLY_COMMANDS = {
    "makemigrations",
    "makemessages",
    "compilemessages",
    "match",
    "impact_case",
}
_code_only = (
    sys.argv[0].endswith("manage.py") and sys.argv[1:2] and sys.argv[1] in _CODE_ONLY_COMMANDS
)
SECRET_KEY = env_str(
    "SECRET_KEY", required=not (DEBUG or _code_only), default="insecure-debug-only-key"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

# Behind HTTPS in production; the demo and the tests run on plain http://127.0.0.1.
HTTPS = env_bool("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Operators hold the most power; production requires them to use a second factor (TOTP).
REQUIRE_OPERATOR_2FA = env_bool("REQUIRE_OPERATOR_2FA", default=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "ninja",  # serves the API docs' assets locally (no CDN, CSP-compatible)
    "samskapa.core",
    "samskapa.audit",
    "samskapa.accounts",
    "samskapa.organisations",
    "samskapa.programmes",
    "samskapa.challenges",
    "samskapa.calls",
    "samskapa.recruitment",
    "samskapa.matching",
    "samskapa.learning",
    "samskapa.journeys",
    "samskapa.environments",
    "samskapa.canvas",
    "samskapa.workshops",
    "samskapa.impact",
    "samskapa.cases",
    "samskapa.surveys",
    "samskapa.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "samskapa.accounts.middleware.OperatorSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees failed logins from every authentication path.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "samskapa.urls"
WSGI_APPLICATION = "samskapa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "samskapa" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# The embedded default is a SQLite file under var/; production points DATABASE_URL at PostgreSQL.
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)
(VAR_DIR / "staticfiles").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'samskapa.sqlite3'}"),
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", default="60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# Lockout after repeated failures: five wrong passwords for one e-mail from one address
# lock that combination for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "samskapa.accounts.lockout.username_from_request"
# Behind a reverse proxy every request comes from the proxy's address: read the client's from
# X-Forwarded-For, trusting as many proxies as TRUSTED_PROXY_COUNT says (0: none, direct).
AXES_IPWARE_PROXY_COUNT = int(env_str("TRUSTED_PROXY_COUNT", default="0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Samskapa"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "samskapa" / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "samskapa" / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("MANIFEST_STATIC", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env_bool("MANIFEST_STATIC", default=False)
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = ["map", "jpg", "jpeg", "png", "gif", "webp", "zip", "gz"]

# Applicants' uploaded files: outside the web root (no URL serves this folder; permission-checked
# views stream each file). See docs/adr/0006-uploaded-files.md and docs/deployment.md.
PRIVATE_MEDIA_ROOT = Path(
    env_str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private-uploads"))
).resolve()
for _public in [STATIC_ROOT, *STATICFILES_DIRS]:
    if PRIVATE_MEDIA_ROOT.is_relative_to(Path(_public).resolve()):
        raise ImproperlyConfigured(
            f"PRIVATE_MEDIA_ROOT={PRIVATE_MEDIA_ROOT} lies inside the static files ({_public}): "
            "choose a folder that no web server serves."
        )
_upload_max_mb = env_str("UPLOAD_MAX_MB", default="25")
if not _upload_max_mb.isdigit() or not 1 <= int(_upload_max_mb) <= 1024:
    raise ImproperlyConfigured(
        f"UPLOAD_MAX_MB={_upload_max_mb!r}: give the largest upload as a whole number of MB "
        "from 1 to 1024."
    )
UPLOAD_MAX_MB = int(_upload_max_mb)  # no file question may accept more
# The first handler stops keeping a file once it passes UPLOAD_MAX_MB (the proxy caps the whole
# request); files up to 2.5 MB are held in memory, larger ones in a temporary file.
FILE_UPLOAD_HANDLERS = [
    "samskapa.calls.uploads.CeilingUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# E-mail: the console in the demo; production sets EMAIL_BACKEND to the SMTP backend and
# EMAIL_HOST/EMAIL_PORT/EMAIL_HOST_USER/EMAIL_HOST_PASSWORD/EMAIL_USE_TLS.
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_mail_backend = env_str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
_mail_options = (
    {
        "host": env_str("EMAIL_HOST", default="127.0.0.1"),
        "port": int(env_str("EMAIL_PORT", default="25")),
        "username": env_str("EMAIL_HOST_USER", default=""),
        "password": env_str("EMAIL_HOST_PASSWORD", default=""),
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
        "timeout": 10,
    }
    if _mail_backend == SMTP_BACKEND
    else {}
)
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="Samskapa <noreply@samskapa.localhost>")

# Background work (e-mail) goes through Django's tasks framework. The immediate backend runs a
# task right after the enqueuing transaction commits; see docs/adr/0004-background-tasks.md.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

NINJA_PAGINATION_PER_PAGE = 50

# Absolute links in e-mails.
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="WARNING")},
    "loggers": {"django.tasks": {"level": "WARNING"}},
}
