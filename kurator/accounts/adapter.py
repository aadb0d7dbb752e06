from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class KuratorAccountAdapter(DefaultAccountAdapter):
    """People are added by their network's administration, never by self-registration."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
