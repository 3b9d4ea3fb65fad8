"""The synthetic population of the cadastre and the test workload: Indonesian-looking names from
syllables (never real people), and a pool to draw from at random."""
from __future__ import annotations

import random

Party = dict[str, str]

ONSETS = ("b", "d", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "w", "y", "sr", "tr")
VOWELS = ("a", "i", "u", "e", "o")
CODAS = ("", "", "", "n", "h", "t", "ng", "r")
ENTITY_WORDS = ("Abadi", "Jaya", "Makmur", "Sentosa", "Lestari", "Mandiri", "Sejahtera")
FOREIGN_ONSETS = ("k", "l", "m", "v", "z", "st", "fr", "gr")

# Exact co-ownership shares (invariant 5) for one, two and three holders.
SHARES: dict[int, tuple[tuple[str, ...], ...]] = {
    1: (("1/1",),),
    2: (("1/2", "1/2"), ("1/3", "2/3"), ("1/4", "3/4")),
    3: (("1/3", "1/3", "1/3"), ("1/2", "1/4", "1/4"), ("1/6", "1/3", "1/2")),
}


def word(rng: random.Random, onsets: tuple[str, ...] = ONSETS) -> str:
    """A capitalised made-up word of two or three syllables, such as 'Suwanto'."""
    syllables = [rng.choice(onsets) + rng.choice(VOWELS) for _ in range(rng.randint(2, 3))]
    return ("".join(syllables) + rng.choice(CODAS)).capitalize()


def _digits(rng: random.Random, count: int) -> str:
    return f"{rng.randrange(10 ** count):0{count}d}"


class People:
    """A fixed pool of citizens, legal entities, foreigners and creditors, drawn once from the seed."""

    def __init__(
        self, rng: random.Random, citizens: int = 150, entities: int = 12, foreigners: int = 12,
    ) -> None:
        self.rng = rng
        self.citizens = [self._citizen() for _ in range(citizens)]
        self.entities = [self._entity() for _ in range(entities)]
        self.foreigners = [self._foreigner() for _ in range(foreigners)]
        self.creditors = [{"id": f"BANK-{index:03d}", "name": f"Bank {word(rng)} {rng.choice(ENTITY_WORDS)}"}
                          for index in range(6)]

    def _citizen(self) -> Party:
        # A NIK-like id: the province and city of Jakarta Selatan (3174) and twelve digits.
        name = f"{word(self.rng)} {word(self.rng)}"
        return {"id": f"3174{_digits(self.rng, 12)}", "name": name, "kind": "citizen"}

    def _entity(self) -> Party:
        name = f"PT {word(self.rng)} {self.rng.choice(ENTITY_WORDS)}"
        return {"id": f"AHU-{_digits(self.rng, 10)}", "name": name, "kind": "legal_entity"}

    def _foreigner(self) -> Party:
        name = f"{word(self.rng, FOREIGN_ONSETS)} {word(self.rng, FOREIGN_ONSETS)}"
        return {"id": f"X{_digits(self.rng, 8)}", "name": name, "kind": "foreigner"}

    def holders(self, right_type: str) -> list[Party]:
        """Eligible holders with exact shares: citizens, a company for some HGB, a foreigner for some HP."""
        if right_type == "HGB" and self.rng.random() < 0.5:
            return self.sole(self.rng.choice(self.entities))
        if right_type == "HP" and self.rng.random() < 0.6:
            return self.sole(self.rng.choice(self.foreigners))
        count = self.rng.choices((1, 2, 3), weights=(5, 3, 2))[0]
        shares = self.rng.choice(SHARES[count])
        people = self.rng.sample(self.citizens, count)
        return [{**person, "share": share} for person, share in zip(people, shares, strict=True)]

    def sole(self, party: Party) -> list[Party]:
        return [{**party, "share": "1/1"}]

    def foreigner(self) -> list[Party]:
        return self.sole(self.rng.choice(self.foreigners))

    def corrected(self, holders: list[Party]) -> list[Party]:
        """The same holders and shares with one name respelt (a data correction, not a transfer)."""
        index = self.rng.randrange(len(holders))
        fixed = [dict(h) for h in holders]
        fixed[index]["name"] = f"{fixed[index]['name'].split(' ')[0]} {word(self.rng)}"
        return fixed


class Pool:
    """NIBs to draw from at random in O(1), in a deterministic order."""

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._where: dict[str, int] = {}

    def add(self, key: str) -> None:
        if key not in self._where:
            self._where[key] = len(self._keys)
            self._keys.append(key)

    def discard(self, key: str) -> None:
        index = self._where.pop(key, None)
        if index is None:
            return
        last = self._keys.pop()
        if index < len(self._keys):
            self._keys[index] = last
            self._where[last] = index

    def __len__(self) -> int:
        return len(self._keys)

    def choice(self, rng: random.Random) -> str:
        return self._keys[rng.randrange(len(self._keys))]
