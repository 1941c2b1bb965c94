from django.apps import AppConfig


class RealestateConfig(AppConfig):
    name = "realestate"
    verbose_name = "سرمایه‌گذاری املاک"
