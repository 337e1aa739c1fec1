"""Provider implementations; ``reverie.providers.registry`` resolves ``"provider:model"``."""
