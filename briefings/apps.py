from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    name = "briefings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .freshness import watch_taxonomy
        from .publishing.cards import watch_tags
        from .publishing.listings import watch_region_tree

        watch_tags()  # before watch_taxonomy: a tag's editor takes the cards' lock first, as publishing does
        watch_taxonomy()
        watch_region_tree()
