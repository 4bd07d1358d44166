"""Editing the bank and its templates in Django's admin (`/admin/`)."""

from django.contrib import admin

from questions.models import Category, Question, Template, TemplateItem


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "category", "difficulty", "expected_minutes", "language"]
    list_filter = ["category", "difficulty", "language"]
    search_fields = ["title", "slug", "prompt", "tags"]
    list_select_related = ["category"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "difficulty", "tags", "expected_minutes"]}),
        (
            "What the candidate sees",
            {"fields": ["prompt", "language", "starter_code", "setup_sql", "visible_tests"]},
        ),
        (
            "Interviewers only",
            {
                "fields": [
                    "guidance",
                    "follow_ups",
                    "red_flags",
                    "rubric",
                    "hints",
                    "solution",
                    "wrong_solutions",
                    "hidden_tests",
                    "steps",
                ]
            },
        ),
    ]


class TemplateItemInline(admin.TabularInline):
    model = TemplateItem
    extra = 1
    autocomplete_fields = ["question"]
    ordering = ["position"]


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "kind", "total_minutes"]
    list_filter = ["kind"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TemplateItemInline]

    @admin.display(description="minutes")
    def total_minutes(self, template: Template) -> int:
        return sum(item.minutes for item in template.items.all())

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("items")
