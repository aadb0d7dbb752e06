from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "kurator.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        # Publishing sits above planning and review: it follows their posts through Django's own save
        # signal instead of being called from them, so the dependencies still run one way.
        from django.db.models.signals import post_save

        from kurator.planning.models import Post
        from kurator.publishing.services import publications_follow_post

        post_save.connect(publications_follow_post, sender=Post, dispatch_uid="publishing-follows-posts")
