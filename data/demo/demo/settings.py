"""Settings of the poshtiban demo project.

A small Django project whose SQLite database and media folder are the
subject of poshtiban's demo and of its fixture-compatibility tests.

Environment:
  DEMO_DATABASE  path of the SQLite database (default: db.sqlite3 in the
                 current directory)
  DEMO_MEDIA     media folder (default: media in the current directory)
  DEMO_DEBUG     1 to turn Django's DEBUG on
"""
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SECRET_KEY = "poshtiban-demo-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = os.environ.get("DEMO_DEBUG", "") == "1"
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "realestate",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "demo.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.abspath(os.environ.get("DEMO_DATABASE", "db.sqlite3")),
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "fa"
USE_I18N = True
USE_L10N = True
USE_TZ = True
# Deliberately not UTC: fixtures must still carry UTC date-times.
TIME_ZONE = "Asia/Tehran"

MEDIA_ROOT = os.path.abspath(os.environ.get("DEMO_MEDIA", "media"))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
