from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_TAGS = ["view_theme", "view_region", "view_author", "view_series"]
AUTHORS = [
    "add_briefing", "change_briefing", "view_briefing", "view_revision", "view_statechange",
    "add_previewlink", "view_previewlink", *VIEW_TAGS,
    *[f"{verb}_briefingauthor" for verb in ("add", "change", "delete", "view")],
]
EDITORS = [
    *AUTHORS, "change_any_briefing", "publish_briefing", "change_previewlink",
    *[f"{verb}_{model}" for verb in ("add", "change", "delete") for model in ("theme", "region", "author", "series")],
]


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Authors", AUTHORS), ("Editors", EDITORS)):
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(content_type__app_label="briefings", codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions not found: {sorted(missing)}")
        group.permissions.set(permissions)


class Migration(migrations.Migration):
    dependencies = [("briefings", "0003_seed_standard_regions"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
