"""Synthetic data folders of any size, for benchmarks and load tests.

``write_synthetic_data(target, services=50_000)`` writes a complete, valid data folder: the
demo ``site.yaml`` and ``taxonomy.yaml`` plus one ``organizations/<id>.yaml`` per made-up
organization (about four services and one or two locations each). The same seed always gives
the same files. Everything is fictional: phone numbers are in the 555-01NN range reserved for
fiction, web and email addresses are under example.org.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from pathlib import Path

import yaml

from .. import ROOT

DEMO_DATA = ROOT / "data"
COPIED_FILES = ("site.yaml", "taxonomy.yaml", "places.csv")  # places.csv only when present
# A fixed "today", so the same seed gives the same last_verified dates on every run (never
# later than the real today: a last_verified date in the future is an error).
ANCHOR_DATE = min(dt.date(2026, 10, 1), dt.date.today())

NEIGHBOURHOODS = [
    "Uptown", "Rogers Park", "Edgewater", "Andersonville", "Lakeview", "Lincoln Square",
    "Albany Park", "Logan Square", "Humboldt Park", "Pilsen", "Little Village", "Bridgeport",
    "Bronzeville", "Hyde Park", "Woodlawn", "South Shore", "Englewood", "Chatham", "Austin",
    "Garfield Park", "Avondale", "Portage Park", "Irving Park", "Jefferson Park",
    "Back of the Yards", "Brighton Park", "Chinatown", "West Town", "Ukrainian Village",
    "Wicker Park", "Bucktown", "Kenwood", "Beverly", "Morgan Park", "Pullman", "Hegewisch",
    "Norwood Park", "North Center", "Roscoe Village", "Douglas Park",
]
ORG_WORDS = [
    "Open Door", "Lakeside", "Harbor", "New Leaf", "Bright Path", "Common Ground", "Safe Haven",
    "Second Chance", "Riverbend", "Northside", "Southside", "Westside", "Hope", "Unity", "Cedar",
    "Maple", "Willow", "Prairie", "Beacon", "Compass", "Kindred", "Evergreen", "Sunrise",
    "Cornerstone", "Lantern", "Bridges", "Harmony", "Anchor",
]
ORG_KINDS = [
    "Community Wellness Center", "Family Services", "Counseling Collective", "Recovery House",
    "Youth Alliance", "Peer Network", "Health Center", "Healing Circle", "Resource Center",
    "Mutual Aid Society", "Neighborhood Clinic", "Support Network", "Care Cooperative",
    "Friendship House", "Mental Health Partners",
]
ORG_MISSIONS = [
    "a neighbourhood nonprofit offering counselling, support groups and practical help",
    "a community organization run by and for the people it serves",
    "a small team of counsellors, peer specialists and volunteers",
    "a faith-based charity open to everyone, whatever their beliefs",
    "a mental health nonprofit working with schools, clinics and shelters",
    "a mutual aid group that grew out of a weekly support circle",
]
STREETS = [
    "Clark St", "Broadway", "Halsted St", "Ashland Ave", "Western Ave", "Damen Ave", "Cicero Ave",
    "Pulaski Rd", "Kedzie Ave", "Milwaukee Ave", "Lincoln Ave", "Irving Park Rd", "Belmont Ave",
    "Fullerton Ave", "North Ave", "Chicago Ave", "Madison St", "Roosevelt Rd", "Cermak Rd",
    "35th St", "47th St", "63rd St", "79th St", "Stony Island Ave", "Cottage Grove Ave",
    "State St", "Wabash Ave", "Sheridan Rd", "Devon Ave", "Lawrence Ave", "Foster Ave",
    "Montrose Ave", "Division St", "Archer Ave",
]
PLACE_KINDS = ["main office", "community room", "clinic", "drop-in centre", "annex",
               "church hall", "library branch", "storefront"]
TRANSPORT = [
    "Two blocks from the nearest L station.", "Several bus routes stop outside.",
    "Free street parking after 6pm.", "Bike racks by the front door.",
    "A short walk from the Red Line.", "Use the side entrance; a ramp is on the left.",
]

# Service names and description phrases per category of the demo taxonomy. A category that
# is not listed here (the taxonomy may grow) uses GENERIC.
GENERIC = {
    "names": ["Community support", "Wellbeing program", "Support and advice"],
    "topics": ["support for people going through a hard time",
               "practical help and someone to talk to", "mental health support"],
}
TOPICS = {
    "counselling": {
        "names": ["Free counselling", "Short-term counselling", "Individual therapy",
                  "Talk therapy", "Counselling for anxiety and depression",
                  "Low-cost therapy clinic", "Someone to talk to"],
        "topics": ["free counselling", "one-to-one counselling with a licensed therapist",
                   "talk therapy for anxiety, depression and stress",
                   "short-term counselling for adults", "someone to talk to in confidence",
                   "therapy on a sliding scale"],
    },
    "crisis-hotline": {
        "names": ["Crisis line", "Night helpline", "Crisis text line", "Warm and crisis line"],
        "topics": ["a confidential crisis line you can call any time",
                   "a helpline for people thinking about suicide",
                   "phone and text support when things feel overwhelming",
                   "trained volunteers who answer calls through the night"],
    },
    "drop-in": {
        "names": ["Walk-in clinic", "Drop-in centre", "Walk-in counselling hour",
                  "Open door drop-in", "Same-day walk-in support"],
        "topics": ["walk-in support with no appointment needed",
                   "a drop-in space with coffee, showers and someone to talk to",
                   "same-day walk-in counselling", "an open door drop-in afternoon"],
    },
    "peer-support": {
        "names": ["Peer support", "Peer specialist support", "Peer warmline",
                  "Peer mentoring", "Lived experience circle"],
        "topics": ["peer support from people with lived experience",
                   "a peer warmline for when you need someone who understands",
                   "peer specialists who help you set goals and get connected",
                   "peer mentoring for people in recovery"],
    },
    "support-group": {
        "names": ["Walk-in support group", "Weekly support group", "Anxiety support group",
                  "Skills group", "Community support circle", "Evening support group"],
        "topics": ["a walk-in support group", "a weekly support group for anxiety and stress",
                   "a skills group for coping with depression",
                   "a friendly support circle that meets every week"],
    },
    "telehealth": {
        "names": ["Online counselling", "Video therapy", "Phone support line",
                  "Virtual support group", "Text and chat support"],
        "topics": ["online counselling by video from wherever you are",
                   "phone therapy sessions in the evening",
                   "a virtual support group that meets by video",
                   "chat and text support with a counsellor"],
    },
    "substance-use": {
        "names": ["Addiction recovery group", "Recovery coaching", "Outpatient addiction program",
                  "Sober support meeting", "Alcohol and drug counselling", "Family recovery group"],
        "topics": ["addiction recovery support", "recovery coaching for alcohol and drug use",
                   "an outpatient program for addiction and recovery",
                   "a sober support meeting", "help with drinking, drugs and opioids"],
    },
    "family-youth": {
        "names": ["Youth drop-in", "Family counselling", "Parenting support group",
                  "After-school youth program", "Teen support group", "Family wellness program"],
        "topics": ["free counselling for young people", "support for parents and families",
                   "an after-school program for youth", "a teen support group",
                   "family therapy for parents and kids"],
    },
    "housing-support": {
        "names": ["Housing navigation", "Eviction prevention help", "Warming centre",
                  "Housing support", "Emergency shelter referrals"],
        "topics": ["help finding housing", "eviction prevention and emergency rent help",
                   "a warm, safe place to stay overnight",
                   "housing support for people who are homeless",
                   "shelter referrals and housing navigation"],
    },
    "grief-support": {
        "names": ["Grief support group", "Bereavement support", "Grief circle",
                  "Suicide loss support group", "Grief counselling"],
        "topics": ["grief support after the death of someone close",
                   "a bereavement group for people who have lost a partner",
                   "a grief circle that meets every other week",
                   "support for people bereaved by suicide"],
    },
    "youth-counselling": {
        "names": ["Youth counselling", "Teen therapy", "Counselling for young people",
                  "School-based counselling", "Child therapy"],
        "topics": ["free counselling for young people", "therapy for teens and young adults",
                   "counselling for children and their parents",
                   "school-based counselling for students"],
    },
    "domestic-violence-support": {
        "names": ["Domestic violence advocacy", "Survivor support group", "Safe place program",
                  "Domestic violence counselling"],
        "topics": ["confidential help for people experiencing abuse",
                   "a support group for survivors of domestic violence",
                   "advocacy and safety planning for survivors",
                   "counselling after an abusive relationship"],
    },
}
OPENINGS = ["", "", "free", "low-cost", "confidential", "friendly", "weekly", "bilingual"]
AUDIENCE_PHRASES = {
    "youth": "for young people", "children": "for children", "families": "for families",
    "lgbtq": "for LGBTQ+ people", "veterans": "for veterans", "women": "for women",
    "men": "for men", "older-adults": "for older adults", "refugees": "for refugees and immigrants",
    "students": "for students",
}
DETAILS = [
    "Sessions are led by licensed therapists.", "No insurance needed.",
    "Interpreters are available on request.", "Run by people with lived experience.",
    "Evening and weekend times are available.", "Coffee and snacks provided.",
    "You don't need a referral.", "Childcare is available during sessions.",
    "Staff can help with benefits and housing applications.", "Everything you share stays private.",
    "Groups are small, usually six to ten people.", "Bring a friend if that helps.",
]
ELIGIBILITY = [
    "Anyone who lives or works in Chicago.", "Adults 18 and over.",
    "Young people aged 12 to 24 and their families.", "No ID or insurance needed.",
    "Residents of the neighbourhood and nearby zip codes.",
]
APPLICATION = [
    "Call to book a first appointment.", "Just walk in during opening hours.",
    "Fill in the short form on the website and someone will call you back.",
    "Ask your doctor, school counsellor or caseworker for a referral.",
    "Text or call the number above; a staff member replies within one working day.",
]
HOURS = [
    "Mo-Fr 09:00-17:00", "Mo-Fr 10:00-18:00", "Mo-Th 09:00-19:00; Fr 09:00-15:00",
    "Tu,Th 18:00-19:30", "We 18:30-20:00", "Sa 10:00-13:00", "Mo-Su 00:00-24:00",
    "Mo,We,Fr 13:00-16:00", "Mo-Fr 08:30-16:30; Sa 10:00-14:00", "Su 14:00-16:00",
]
NAME_VARIANTS = ["evenings", "weekends", "mornings", "second group", "drop-in hours",
                 "in Spanish", "online", "for carers"]
LANGUAGES = ["es", "es", "es", "pl", "zh", "ko", "ar", "tl", "ru", "uk", "vi", "hi", "ur"]


def write_synthetic_data(target: Path, services: int, seed: int = 1) -> None:
    """Write a valid data folder with ``services`` services into ``target`` (created if needed).

    ``target/organizations`` must not hold files already: they would mix with the new ones.
    """
    target = Path(target)
    organizations = target / "organizations"
    organizations.mkdir(parents=True, exist_ok=True)
    if any(organizations.iterdir()):
        raise ValueError(f"{organizations} is not empty; give an empty or new folder")
    for name in COPIED_FILES:
        if (DEMO_DATA / name).is_file():
            shutil.copyfile(DEMO_DATA / name, target / name)
    site = yaml.safe_load((DEMO_DATA / "site.yaml").read_text(encoding="utf-8"))
    taxonomy = yaml.safe_load((DEMO_DATA / "taxonomy.yaml").read_text(encoding="utf-8"))
    generator = _Generator(
        random.Random(seed),
        categories=[c["id"] for c in taxonomy.get("categories") or []],
        audiences=[a["id"] for a in taxonomy.get("audiences") or []],
        bounds=site.get("bounds") or {"south": 41.64, "west": -87.94,
                                      "north": 42.03, "east": -87.52},
    )
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # the same output as safe_dump, faster
    remaining = services
    while remaining > 0:
        count = min(remaining, generator.rng.choice((3, 4, 4, 4, 5)))
        org = generator.organization(count)
        with (organizations / f"{org['id']}.yaml").open("w", encoding="utf-8") as handle:
            yaml.dump(org, handle, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
        remaining -= count


def _fold(text: str) -> str:
    """A name as the duplicate check compares it: case, punctuation and spaces aside."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Generator:
    def __init__(self, rng: random.Random, categories: list[str], audiences: list[str],
                 bounds: dict):
        if not categories:
            raise ValueError("the taxonomy has no categories to put services in")
        self.rng = rng
        self.categories = categories
        self.audiences = audiences
        self.bounds = bounds
        self.org_ids: dict[str, int] = {}
        # The same name at the same address twice is an error: keep addresses unique, and
        # service names unique within each organization.
        self.addresses: set[str] = set()

    def phone(self, kind: str = "voice") -> dict:
        return {"number": f"+1 312 555 01{self.rng.randrange(100):02d}", "type": kind}

    def organization(self, service_count: int) -> dict:
        rng = self.rng
        neighbourhood = rng.choice(NEIGHBOURHOODS)
        kind = rng.choice(ORG_KINDS)
        name = rng.choice([f"{neighbourhood} {kind}", f"{rng.choice(ORG_WORDS)} {kind}",
                           f"{rng.choice(ORG_WORDS)} {neighbourhood} {kind}"])
        base = slugify(name)
        seen = self.org_ids.get(base, 0) + 1
        self.org_ids[base] = seen
        org_id = base if seen == 1 else f"{base}-{seen}"
        org = {"id": org_id, "name": name if seen == 1 else f"{name} ({seen})"}
        if rng.random() < 0.2:
            org["alternate_name"] = "".join(word[0] for word in name.split() if word[0].isupper())
        org["description"] = (f"Based in {neighbourhood}, {org['name']} is "
                              f"{rng.choice(ORG_MISSIONS)}. {rng.choice(DETAILS)}")
        org["url"] = f"https://{org_id}.example.org"
        org["email"] = f"info@{org_id}.example.org"
        org["phones"] = [self.phone()]
        org["locations"] = [self.location(org_id, index, neighbourhood)
                            for index in range(rng.choice((1, 1, 2)))]
        location_ids = [location["id"] for location in org["locations"]]
        names: set[str] = set()
        org["services"] = [self.service(org_id, index, neighbourhood, location_ids, names)
                           for index in range(service_count)]
        seen = set()
        for index, service in enumerate(org["services"]):
            # Validation rejects the same name at the same address: real organizations name
            # their services apart, so the synthetic ones do too.
            if service["name"] in seen:
                service["name"] += f" {index + 1}"
            seen.add(service["name"])
        return org

    def location(self, org_id: str, index: int, neighbourhood: str) -> dict:
        rng, bounds = self.rng, self.bounds
        address = None
        while address is None or address in self.addresses:
            address = f"{rng.randint(100, 9999)} {rng.choice('NSEW')} {rng.choice(STREETS)}"
        self.addresses.add(address)
        location = {
            "id": f"{org_id}-place-{index + 1}",
            "name": f"{neighbourhood} {rng.choice(PLACE_KINDS)}",
            "address": {
                "address_1": address,
                "city": "Chicago",
                "state_province": "IL",
                "postal_code": f"606{rng.randrange(1, 61):02d}",
                "country": "US",
            },
            "latitude": round(rng.uniform(bounds["south"], bounds["north"]), 5),
            "longitude": round(rng.uniform(bounds["west"], bounds["east"]), 5),
        }
        features = [f for f in ("wheelchair", "accessible-restroom", "elevator", "hearing-loop",
                                "service-animals") if rng.random() < 0.4]
        if features:
            location["accessibility"] = features
        if rng.random() < 0.5:
            location["transportation"] = rng.choice(TRANSPORT)
        return location

    def service(self, org_id: str, index: int, neighbourhood: str, location_ids: list[str],
                names: set[str]) -> dict:
        rng = self.rng
        count = min(len(self.categories), rng.choice((1, 1, 2, 2, 3)))
        categories = rng.sample(self.categories, count)
        main = TOPICS.get(categories[0], GENERIC)
        audience = rng.sample(self.audiences, min(len(self.audiences), rng.choice((0, 0, 1, 2))))
        name = rng.choice(main["names"])
        if audience and rng.random() < 0.5:
            name += f" {AUDIENCE_PHRASES.get(audience[0], 'for ' + audience[0])}"
        elif rng.random() < 0.3:
            name += f" in {neighbourhood}"
        variants = iter(NAME_VARIANTS)
        base = name
        while _fold(name) in names:
            variant = next(variants, None)
            name = f"{base} ({variant})" if variant else f"{base} ({index + 1})"
        names.add(_fold(name))
        sentence = rng.choice(main["topics"])
        article, _, rest = sentence.partition(" ")
        opening = rng.choice(OPENINGS)
        if article in ("a", "an") and opening and not rest.startswith(opening):
            sentence = f"{'an' if opening[0] in 'aeiou' else 'a'} {opening} {rest}"
        if audience:
            phrase = AUDIENCE_PHRASES.get(audience[0], f"for {audience[0]}")
            if " for " not in f" {sentence} ":
                sentence += f" {phrase}"
        extra = [rng.choice(TOPICS.get(c, GENERIC)["topics"]) for c in categories[1:]]
        description = sentence[0].upper() + sentence[1:] + "."
        if extra:
            description += f" We also offer {' and '.join(extra)}."
        description += " " + " ".join(rng.sample(DETAILS, 2))
        service = {
            "id": f"{org_id}-service-{index + 1}",
            "name": name,
            "description": description,
            "categories": categories,
        }
        remote_only = ("telehealth" in categories or "crisis-hotline" in categories) \
            and rng.random() < 0.5
        if not remote_only:
            service["at"] = rng.sample(location_ids, rng.choice((1, 1, 1, 2))
                                       if len(location_ids) > 1 else 1)
        service["hours"] = rng.choice(HOURS)
        if remote_only or rng.random() < 0.6:
            service["phones"] = [self.phone()]
            if rng.random() < 0.2:
                service["phones"].append(self.phone("text"))
        if rng.random() < 0.3:
            service["url"] = f"https://{org_id}.example.org/services/{index + 1}"
        languages = ["en"]
        if rng.random() < 0.4:
            languages.append(rng.choice(LANGUAGES))
        service["languages"] = languages
        if audience:
            service["audience"] = audience
        if "youth" in audience or "youth-counselling" in categories:
            ages = rng.choice(((12, 24), (13, 19), (16, 25)))
            service["minimum_age"], service["maximum_age"] = ages
        elif "older-adults" in audience:
            service["minimum_age"] = 60
        elif rng.random() < 0.15:
            service["minimum_age"] = 18
        service["cost"] = rng.choice(("free", "free", "free", "sliding-scale", "paid"))
        if service["cost"] != "free":
            service["fees_description"] = rng.choice(
                ("Sliding scale from $10 a session; nobody is turned away.",
                 "Most insurance accepted, including Medicaid.",
                 "$40 a session, reduced fees on request."))
        service["access"] = "call-first" if remote_only else \
            rng.choice(("walk-in", "appointment", "appointment", "referral", "call-first"))
        if rng.random() < 0.3:
            service["eligibility_description"] = rng.choice(ELIGIBILITY)
        if rng.random() < 0.3:
            service["application_process"] = rng.choice(APPLICATION)
        if remote_only:
            service["remote"] = rng.sample(["phone", "video", "chat", "text"], rng.randint(1, 3))
        elif rng.random() < 0.15:
            service["remote"] = ["video"]
        # Most listings were checked recently; some are overdue (a stale warning, as in life).
        days = rng.randrange(0, 120) if rng.random() < 0.85 else rng.randrange(120, 400)
        service["last_verified"] = ANCHOR_DATE - dt.timedelta(days=days)
        if rng.random() < 0.03:
            service["status"] = "inactive"
        return service
