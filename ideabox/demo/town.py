"""Havnestad Kommune's people: the names the demo gives its residents and staff.

Every e-mail address is under the ``.example`` top-level domain, which is reserved
(RFC 2606) and never delivers mail, so the demo can never write to a real person.
"""

from __future__ import annotations

import random

MUNICIPALITY = "Havnestad Kommune"
STAFF_DOMAIN = "havnestad.example"
RESIDENT_DOMAIN = "borger.example"
ADMIN_EMAIL = f"admin@{STAFF_DOMAIN}"
ADMIN_NAME = "Havnestad Kommune"

# The two accounts printed after seeding, for signing in as a resident and as staff.
TRY_RESIDENT = ("Sofie Holm", f"sofie.holm@{RESIDENT_DOMAIN}")
TRY_STAFF = ("Jonas Lund", f"jonas.lund@{STAFF_DOMAIN}")
MODERATOR = ("Birgitte Krogh", f"birgitte.krogh@{STAFF_DOMAIN}")

FIRST_NAMES = (
    "Anna", "Ida", "Emma", "Freja", "Clara", "Laura", "Sofia", "Karla", "Alma", "Ella",
    "Mathilde", "Agnes", "Josefine", "Maja", "Lærke", "Marie", "Caroline", "Nanna", "Signe",
    "Astrid", "Kirsten", "Hanne", "Susanne", "Lene", "Mette", "Pia", "Tina", "Karen",
    "Inge", "Birthe", "Helle", "Dorthe", "Bente", "Lone", "Camilla", "Louise", "Rikke",
    "Stine", "Julie", "Cecilie", "Mads", "Peter", "Jens", "Lars", "Søren", "Niels",
    "Henrik", "Thomas", "Michael", "Martin", "Anders", "Rasmus", "Christian", "Jesper",
    "Morten", "Mikkel", "Frederik", "Emil", "Oliver", "William", "Noah", "Lucas", "Oscar",
    "Carl", "Victor", "Magnus", "Malthe", "Aksel", "Ole", "Hans", "Poul", "Erik", "Jørgen",
    "Bent", "Kim", "Torben", "Kasper", "Jakob", "Simon", "Tobias", "Asger", "Bjørn",
    "Ahmed", "Fatima", "Ali", "Leyla", "Omar", "Amira", "Piotr", "Agnieszka", "Daniel",
    "Sara", "Jonas", "Nikolaj", "Tove", "Grethe", "Aase", "Villads",
)

LAST_NAMES = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
    "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
    "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen",
    "Jakobsen", "Mikkelsen", "Olesen", "Frederiksen", "Laursen", "Henriksen", "Lund",
    "Schmidt", "Holm", "Eriksen", "Kristiansen", "Nissen", "Lauridsen", "Dam", "Kjær",
    "Bach", "Vestergaard", "Skov", "Bak", "Mølgaard", "Toft", "Juhl", "Friis", "Høj",
    "Brandt", "Lindholm", "Krogh", "Winther", "Nørgaard", "Kaas", "Hvid", "Abildgaard",
    "Bruun", "Dahl", "Ravn", "Berg", "Steffensen", "Yilmaz", "Hussain", "Nowak",
)


def person_names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """``count`` different full names, none of them in ``taken`` (which grows)."""
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name in taken:
            continue
        taken.add(name)
        names.append(name)
    return names


def email_for(name: str, domain: str) -> str:
    """"Søren Kjær" → "soeren.kjaer@domain": Danish letters spelt out, as people do."""
    local = name.lower()
    for letter, spelt in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), (" ", ".")):
        local = local.replace(letter, spelt)
    return f"{local}@{domain}"
