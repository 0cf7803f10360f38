"""The matching index (issue 11): written with each petition, read at registration.

Rows here are derived data: `matching_rebuild` (management command) recreates them all from
the petitions, and the tests hold that the index kept up petition by petition equals a
rebuild. Nothing here is shown to a user.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MatterText(models.Model):
    """One row per petition: the digest of its normalised text, for identical texts."""

    petition = models.OneToOneField(
        "petitions.Petition", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("事项文本摘要")
        verbose_name_plural = _("事项文本摘要")

    def __str__(self) -> str:
        return self.digest[:12]


class MatterBand(models.Model):
    """One row per petition and LSH band (matching/minhash.py): `key` is the band's hash,
    equal keys make two petitions text candidates."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = _("事项文本分带")
        verbose_name_plural = _("事项文本分带")

    def __str__(self) -> str:
        return str(self.key)


class PersonKey(models.Model):
    """A keyed hash (HMAC, petitions/protect.py) of how a petitioner's name sounds: the
    toneless pinyin, so homophones meet. Keyed like the ID-number hash, so the index says
    nothing without the data key; rebuilt after a key rotation (`matching_rebuild`)."""

    petitioner = models.OneToOneField(
        "petitions.Petitioner", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    sound_hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("信访人姓名读音")
        verbose_name_plural = _("信访人姓名读音")

    def __str__(self) -> str:
        return self.sound_hash[:12]
