"""German words the segmenter reasons with: sentence starters, months, ordinal cues, function
words and abbreviations. General knowledge of the language, not fitted to any corpus.
"""

from __future__ import annotations


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


SENTENCE_STARTERS = _word_set(
    """
    Der Die Das Den Dem Des Ein Eine Einen Einem Einer Eines Kein Keine Keiner Keinen
    Ich Du Er Sie Es Wir Ihr Man Mein Meine Dein Deine Sein Seine Ihre Unser Unsere Euer Eure
    Dieser Diese Dieses Diesem Diesen Dies Jener Jene Jeder Jede Jedes Alle Alles Viele Einige
    Manche Mancher Beide Wer Was Wo Woher Wohin Wie Wann Warum Weshalb Wieso Welche Welcher
    Welches Und Aber Doch Denn Oder Sondern Dann Danach Daher Deshalb Deswegen Darum Trotzdem
    Dennoch Außerdem Zudem Ebenso Ebenfalls Auch Noch Schon Jetzt Nun Heute Gestern Hier Dort
    Da Dabei Damit Dazu Davon Darauf Daraufhin Dafür Dagegen Darüber Darin Dadurch Allerdings
    Jedoch Zwar Immerhin Vielleicht Natürlich Leider Zum Zur Bei Beim Mit Nach Vor Seit Ab
    Bis Für Gegen Ohne Um Unter Über Von Vom Zu Aus Am Im In Ins An Auf Als Wenn Weil Ob
    Obwohl Während Nachdem Bevor Seitdem Sobald So Also Nicht Nur Bereits Insgesamt Zuvor
    Zuletzt Später Anschließend Inzwischen Mittlerweile Gleichzeitig Erst Zunächst Laut Wegen
    Trotz Ja Nein Bitte Danke Sonst Somit Folglich Hingegen Stattdessen Vorher Nachher Bisher
    Derzeit Damals Oft Häufig Manchmal Immer Nie Niemand Jemand Nichts Etwas Vieles Wenige
    Mehr Weniger Sogar Gerade Eben Zuerst Schließlich Endlich Plötzlich Offenbar Tatsächlich
    Insbesondere Vor Hinzu Hierzu Hierbei Dazwischen Deren Dessen Solche Solcher Solches
    """
)
"""Capitalised function words that typically open a sentence and are lower case inside one."""

MONTHS = _word_set(
    """
    Januar Jänner Februar Feber März April Mai Juni Juli August September Oktober November
    Dezember Jan Feb Febr Mär Mrz Apr Jun Jul Aug Sep Sept Okt Nov Dez
    """
)

ORDINAL_CUES = _word_set(
    """
    am im vom zum beim ins der die das den dem des zur seit ab bis vor nach ein eine einen
    einem einer eines sein seine seinen seinem seiner ihr ihre ihren ihrem ihrer mein meine
    meinen meinem unser unsere unseren unserem jeder jede jedes jedem jeden dieser diese dieses
    diesem diesen zu in
    """
)
"""Words before a number that make ``123.`` an ordinal (``seinen 100. Geburtstag``), also with
attributive words between (``des späten 15. Jahrhunderts``, see ``_after_determiner``)."""

DETERMINERS = ORDINAL_CUES - _word_set("seit ab bis vor nach zu in")
"""The ``ORDINAL_CUES`` that open a noun phrase (articles, possessives, ``am``, ``zum`` …): a
bare preposition may also govern an infinitive (``zu empfehlen``)."""

QUANTIFIER_ADVERBS = _word_set("wenig bisschen")
"""``ein wenig teuer``: after ``ein`` these make an adverb, not a noun phrase."""

ATTRIBUTIVE_ENDINGS = ("e", "en", "er", "es", "em")
"""Endings of an inflected adjective or participle before a noun (``späten``, ``begangenes``)."""

UNPUNCTUATED_STARTERS = SENTENCE_STARTERS - _word_set(
    """
    Der Die Das Den Dem Des Sie Ihr Ihre Du Dein Deine Euer Eure Mein Meine Sein Seine Unser
    Unsere Ein Eine Einen Einem Einer Eines Es Da Ja Nein Bitte Danke Mehr Weniger Nichts Etwas
    Vieles Alles Alle Beide Niemand Jemand Aus Laut Trotz Gerade Eben Wer Was Wie Wo Vor Über
    Unter An In
    """
)
"""Sentence starters that are never capitalised inside a sentence, so they start a new one even
without punctuation before them (``… das Essen war teuer Wir kommen trotzdem wieder``). Left
out: the articles, which open titles and names (``berichtete Die Zeit``, ``Die Linke``); the
pronouns of polite and letter address (``Sie``, ``Ihr``, ``Du``); the emphatic numeral (``nur
Eine Poesie``); and words that are also nouns or in names (``ein klares Nein``, ``das Es``,
``das endgültige Aus``, ``Unter den Linden``)."""

FUNCTION_WORDS = _word_set(
    """
    der die das den dem des ein eine einen einem einer eines und oder aber sondern denn doch
    sowie als wie wenn weil dass daß ob mit von vom zu zum zur bei beim im in an am auf aus
    für gegen ohne um unter über nach vor seit bis durch ab per pro laut trotz wegen während
    sich nicht sehr so noch auch ist sind war wird werden hat haben kein keine seine ihre
    """
)
"""Lower-case words a line cannot end with unless the sentence continues on the next line."""

# Abbreviations that are practically always followed by the word they belong to.
_BOUND_ABBREVIATIONS = """
    Dr Prof Hr Hrn Fr Frl Dipl Ing Mag Dres Hl St Sr Mr Mrs Ms Gebr Nr Nrn Abs Bd Bde Kap Ziff
    Tel Fax Abb Tab Anm vgl bzw bzgl bspw ca sog geb verh gest inkl exkl zzgl einschl insb
    insbes lt gem zw rd urspr ehem bes betr gez dt engl franz frz ital span lat griech russ
    kath ev evang Jg Bj vs med phil rer nat jur oec habil theol Pkt Bsp
    z.b d.h u.u i.d.r z.t z.zt i.a i.v o.g v.a z.hd m.e u.e a.d i.e
"""
# Abbreviations that can also end a sentence: split after them only before a sentence starter.
_FREE_ABBREVIATIONS = """
    usw etc usf ff f Co Mio Mrd Tsd Jh Jhd Jhdt Chr Std Sek Min min max Jan Feb Febr Mär Mrz
    Apr Jun Jul Aug Sep Sept Okt Nov Dez Mo Di Mi Do Sa Str Pl Kl Abt Bhf Hbf Aufl Ausg Hrsg
    Red Verf Vors Präs Art evtl ggf allg ebd zus jun sen Jr Ltd Inc Corp Nachf Pfd Ref Stk Stck
    Mill Ztr Dtzd Pos
    u.a u.ä o.ä s.o s.u v.chr n.chr u.v.m d.j a.m i.r a.d e.v k.o
"""
ABBREVIATIONS: dict[str, bool] = {
    **{word: False for word in _FREE_ABBREVIATIONS.split()},
    **{word: True for word in _BOUND_ABBREVIATIONS.split()},
}
"""Common German abbreviations (without the final period) -> True if never sentence-final."""
