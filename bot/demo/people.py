"""The demo's shoppers: fictional names, example.* emails, 555-01xx phones.

Each shopper also names the carrier facilities a parcel to them passes: `via`
(a regional sort centre on the way from the warehouse) and `hub` (the
facility that serves their town), so tracking histories follow plausible routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Place(NamedTuple):
    """A scan location."""

    city: str
    region: str | None
    country: str = "US"


@dataclass(frozen=True)
class Person:
    """A shopper and where their parcels go."""

    name: str
    email: str
    phone: str
    line1: str
    city: str
    region: str | None
    postal_code: str
    hub: Place
    via: Place
    line2: str | None = None
    country: str = "US"


WAREHOUSE = Place("Memphis", "TN")

_DALLAS = Place("Dallas", "TX")
_KANSAS_CITY = Place("Kansas City", "MO")
_SALT_LAKE = Place("Salt Lake City", "UT")
_INDIANAPOLIS = Place("Indianapolis", "IN")
_COLUMBUS = Place("Columbus", "OH")
_ATLANTA = Place("Atlanta", "GA")
_DHL_HUB = Place("Hebron", "KY")  # DHL's Americas hub at Cincinnati airport


def _us(
    name: str,
    email: str,
    phone: str,
    street: str,
    city: str,
    region: str,
    postal: str,
    hub: str,
    via: Place,
    line2: str | None = None,
) -> Person:
    return Person(name, email, phone, street, city, region, postal, Place(hub, region), via, line2)


def _abroad(
    name: str,
    email: str,
    phone: str,
    street: str,
    city: str,
    region: str | None,
    postal: str,
    hub: Place,
    line2: str | None = None,
) -> Person:
    return Person(
        name, email, phone, street, city, region, postal, hub, _DHL_HUB, line2, hub.country
    )


# One shopper per key; two lines each read better than ruff's one argument per line.
# fmt: off
PEOPLE: dict[str, Person] = {
    "jane": _us("Jane Doe", "jane.doe@example.com", "+14155550134", "500 Terry Francois St",
                "San Francisco", "CA", "94107", "Oakland", _DALLAS),
    "maria": _us("Maria Garcia", "maria.garcia@example.org", "+15125550148",
                 "2104 E Cesar Chavez St", "Austin", "TX", "78702", "Austin", _DALLAS),
    "tom": _us("Tom Becker", "tom.becker@example.net", "+13035550112", "1550 Platte St",
               "Denver", "CO", "80202", "Commerce City", _KANSAS_CITY, "Apt 412"),
    "noah": _us("Noah Williams", "noah.williams@example.com", "+18015550177", "480 E 900 S",
                "Salt Lake City", "UT", "84111", "West Valley City", _KANSAS_CITY),
    "priya": _us("Priya Raman", "priya.raman@example.org", "+16175550105", "28 Brattle St",
                 "Cambridge", "MA", "02138", "Chelmsford", _COLUMBUS),
    "grace": _us("Grace O'Neill", "grace.oneill@example.org", "+13035550131", "1420 Pine St",
                 "Boulder", "CO", "80302", "Commerce City", _KANSAS_CITY),
    "aisha": _us("Aisha Khan", "aisha.khan@example.com", "+16125550171", "3012 Hennepin Ave",
                 "Minneapolis", "MN", "55408", "Maple Grove", _INDIANAPOLIS),
    "david": _us("David Okafor", "david.okafor@example.org", "+14045550190",
                 "745 Edgewood Ave NE", "Atlanta", "GA", "30307", "Norcross", _ATLANTA),
    "sam": _us("Samuel Park", "sam.park@example.com", "+12065550183", "4120 Fremont Ave N",
               "Seattle", "WA", "98103", "Kent", _SALT_LAKE),
    "kevin": _us("Kevin Nguyen", "kevin.nguyen@example.org", "+19165550187", "2630 J St",
                 "Sacramento", "CA", "95816", "West Sacramento", _DALLAS),
    "owen": _us("Owen Murphy", "owen.murphy@example.net", "+19075550174", "610 W 4th Ave",
                "Anchorage", "AK", "99501", "Anchorage", _SALT_LAKE),
    "zoe": _us("Zoe Adams", "zoe.adams@example.org", "+15055550161", "315 Galisteo St",
               "Santa Fe", "NM", "87501", "Albuquerque", _DALLAS),
    "carlos": _us("Carlos Mendoza", "carlos.mendoza@example.net", "+16025550158",
                  "2201 N Central Ave", "Phoenix", "AZ", "85004", "Tolleson", _DALLAS),
    "rachel": _us("Rachel Goldberg", "rachel.goldberg@example.com", "+17185550124",
                  "341 7th Ave", "Brooklyn", "NY", "11215", "Maspeth", _COLUMBUS,
                  "Apt 3R"),
    "hannah": _us("Hannah Schmidt", "hannah.schmidt@example.com", "+16085550142",
                  "915 Williamson St", "Madison", "WI", "53703", "Madison", _INDIANAPOLIS),
    "ben": _us("Benjamin Clarke", "ben.clarke@example.net", "+18025550163", "120 Church St",
               "Burlington", "VT", "05401", "Williston", _COLUMBUS),
    "lucy": _us("Lucy Martin", "lucy.martin@example.org", "+14065550115", "225 W Main St",
                "Bozeman", "MT", "59715", "Belgrade", _SALT_LAKE),
    "ethan": _us("Ethan Brooks", "ethan.brooks@example.org", "+18285550146", "70 Lexington Ave",
                 "Asheville", "NC", "28801", "Arden", _ATLANTA),
    "julia": _us("Julia Novak", "julia.novak@example.net", "+14125550138", "3600 Butler St",
                 "Pittsburgh", "PA", "15201", "Neville Island", _COLUMBUS),
    "ahmed": _us("Ahmed Hassan", "ahmed.hassan@example.com", "+13135550193", "4160 Woodward Ave",
                 "Detroit", "MI", "48201", "Romulus", _INDIANAPOLIS),
    "chloe": _us("Chloe Dubois", "chloe.dubois@example.net", "+15045550118",
                 "1000 Esplanade Ave", "New Orleans", "LA", "70116", "Harahan", _DALLAS),
    "mia": _us("Mia Johansson", "mia.johansson@example.com", "+12085550122",
               "1010 W Jefferson St", "Boise", "ID", "83702", "Boise", _SALT_LAKE),
    "daniel": _us("Daniel Kim", "daniel.kim@example.com", "+12135550152", "820 S Broadway",
                  "Los Angeles", "CA", "90014", "Ontario", _DALLAS),
    "emily": _us("Emily Chen", "emily.chen@example.net", "+15035550119", "2305 SE Division St",
                 "Portland", "OR", "97202", "Portland", _SALT_LAKE),
    "marcus": _us("Marcus Johnson", "marcus.johnson@example.com", "+13125550166",
                  "1650 W Division St", "Chicago", "IL", "60622", "Hodgkins", _INDIANAPOLIS),
    "sofia": _us("Sofia Rossi", "sofia.rossi@example.com", "+19195550109", "410 Glenwood Ave",
                 "Raleigh", "NC", "27603", "Durham", _ATLANTA),
    "ava": _us("Ava Thompson", "ava.thompson@example.org", "+16155550128", "1200 Villa Pl",
               "Nashville", "TN", "37212", "Nashville", _ATLANTA),
    "lucas": _us("Lucas Meyer", "lucas.meyer@example.net", "+18165550153", "3915 Main St",
                 "Kansas City", "MO", "64111", "Riverside", _KANSAS_CITY),
    "nina": _us("Nina Patel", "nina.patel@example.com", "+16195550186", "3025 Adams Ave",
                "San Diego", "CA", "92116", "San Diego", _DALLAS),
    "peter": _us("Peter Lindqvist", "peter.lindqvist@example.org", "+16145550141",
                 "755 N High St", "Columbus", "OH", "43215", "Obetz", _INDIANAPOLIS),
    "ruth": _us("Ruth Alvarez", "ruth.alvarez@example.net", "+18435550137", "96 Spring St",
                "Charleston", "SC", "29403", "North Charleston", _ATLANTA),
    "amara": _us("Amara Eze", "amara.eze@example.com", "+17135550172", "2415 Taft St",
                 "Houston", "TX", "77006", "Stafford", _DALLAS),
    "henry": _us("Henry Walsh", "henry.walsh@example.org", "+18045550159", "2318 W Main St",
                 "Richmond", "VA", "23220", "Sandston", _COLUMBUS),
    # The shoppers of the policy's showcase orders (scenarios.POLICY_CASES), one order each.
    "omar": _us("Omar Farouk", "omar.farouk@example.com", "+12015550106", "35 Newark St",
                "Hoboken", "NJ", "07030", "Secaucus", _COLUMBUS),
    "elena": _us("Elena Petrova", "elena.petrova@example.org", "+15025550113",
                 "1400 Bardstown Rd", "Louisville", "KY", "40204", "Louisville", _INDIANAPOLIS),
    "yuki": _us("Yuki Tanaka", "yuki.tanaka@example.net", "+15205550126", "940 E 7th St",
                "Tucson", "AZ", "85719", "Tucson", _DALLAS),
    "fatima": _us("Fatima Malik", "fatima.malik@example.com", "+14145550139", "301 N Water St",
                  "Milwaukee", "WI", "53202", "Oak Creek", _INDIANAPOLIS),
    "leo": _us("Leo Fischer", "leo.fischer@example.org", "+15135550144", "1201 Vine St",
               "Cincinnati", "OH", "45202", "West Chester", _INDIANAPOLIS),
    "nadia": _us("Nadia Haddad", "nadia.haddad@example.net", "+15185550151", "25 Quackenbush Sq",
                 "Albany", "NY", "12207", "Latham", _COLUMBUS),
    "victor": _us("Victor Alves", "victor.alves@example.com", "+18135550157",
                  "1101 Channelside Dr", "Tampa", "FL", "33602", "Tampa", _ATLANTA),
    "hazel": _us("Hazel Morgan", "hazel.morgan@example.org", "+15095550162", "808 W Main Ave",
                 "Spokane", "WA", "99201", "Spokane", _SALT_LAKE),
    "rohan": _us("Rohan Mehta", "rohan.mehta@example.com", "+14015550168", "100 Westminster St",
                 "Providence", "RI", "02903", "Providence", _COLUMBUS),
    "walter": _us("Walter Grant", "walter.grant@example.net", "+15155550175", "400 Locust St",
                  "Des Moines", "IA", "50309", "Des Moines", _KANSAS_CITY),
    "ines": _us("Ines Navarro", "ines.navarro@example.org", "+15055550181", "200 Gold Ave SW",
                "Albuquerque", "NM", "87102", "Albuquerque", _DALLAS),
    "caleb": _us("Caleb Foster", "caleb.foster@example.com", "+15015550184",
                 "300 President Clinton Ave", "Little Rock", "AR", "72201", "Little Rock",
                 _DALLAS),
    "mei": _us("Mei Lin", "mei.lin@example.net", "+17025550189", "600 E Fremont St",
               "Las Vegas", "NV", "89101", "North Las Vegas", _SALT_LAKE),
    "theo": _us("Theo Laurent", "theo.laurent@example.org", "+14105550194", "1400 Light St",
                "Baltimore", "MD", "21230", "Baltimore", _COLUMBUS),
    "sara": _us("Sara Lindgren", "sara.lindgren@example.com", "+16515550197", "250 W 7th St",
                "Saint Paul", "MN", "55102", "Eagan", _INDIANAPOLIS),
    "liam": _abroad("Liam Tremblay", "liam.tremblay@example.net", "+14165550127",
                    "88 Queens Quay W", "Toronto", "ON", "M5J 0B8",
                    Place("Mississauga", "ON", "CA"), "Unit 1205"),
    "isabella": _abroad("Isabella Fraser", "isabella.fraser@example.com", "+16045550145",
                        "1055 Homer St", "Vancouver", "BC", "V6B 1G3",
                        Place("Richmond", "BC", "CA")),
    "olivia": _abroad("Olivia Bennett", "olivia.bennett@example.net", "+447700900123",
                      "27 Elgin Crescent", "London", None, "W11 2JD",
                      Place("East Midlands", None, "GB")),
    "george": _abroad("George Wright", "george.wright@example.org", "+447700900456",
                      "14 Chorlton Rd", "Manchester", None, "M15 4AB",
                      Place("East Midlands", None, "GB")),
}
# fmt: on
