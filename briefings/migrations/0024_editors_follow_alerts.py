from django.contrib.auth.management import create_permissions
from django.db import migrations

# Editors see what alerts were sent and the lists' readership, and send messages to a list; readers'
# addresses stay with the staff given `see_subscriber_addresses`.
PERMISSIONS = [
    "view_contentchange", "view_subscriberlist", "view_alert", "view_editormessage", "add_editormessage",
]  # fmt: skip


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="briefings", codename__in=PERMISSIONS)
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="briefings", codename__in=PERMISSIONS)
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("briefings", "0023_editor_messages")]

    operations = [migrations.RunPython(grant, revoke)]
