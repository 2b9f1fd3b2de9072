from django.contrib.auth.management import create_permissions
from django.db import migrations

# Editors and authors see where each PDF stands, and the queue's jobs with their events.
PERMISSIONS = [
    ("briefings", "view_versionpdf"),
    ("procrastinate", "view_procrastinatejob"),
    ("procrastinate", "view_procrastinateevent"),
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in PERMISSIONS]
    for group in Group.objects.filter(name__in=["Authors", "Editors"]):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(codename__in=[codename for _, codename in PERMISSIONS])
    for group in Group.objects.filter(name__in=["Authors", "Editors"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("briefings", "0017_version_pdfs"), ("procrastinate", "0041_post_retry_failed_job")]

    operations = [migrations.RunPython(grant, revoke)]
