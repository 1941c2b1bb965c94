from django.contrib import admin

from .models import Expense, Investor, Project, Transaction, Unit

for model in (Project, Investor, Unit, Transaction, Expense):
    admin.site.register(model)
