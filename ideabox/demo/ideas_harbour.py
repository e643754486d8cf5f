""""En bedre havnefront": the residents' purpose, as the container port moves out."""

from __future__ import annotations

from ideabox.demo.model import IdeaText, PurposeText, Reply, Response, Thread

STATEMENT = """\
Containerterminalen på Nordkajen flytter ud af byen, og for første gang i hundrede år \
bliver havnefronten fri. Byrådet har afsat 12 mio. kr. til de første forbedringer, og \
de skal bruges på det, du som borger savner.

**Hvad skal der til, for at havnefronten bliver et sted for alle – hele året?**

Tænk på det, du selv ville bruge: steder at sidde, bade, lege, spise eller bare gå en \
tur. Både små og store idéer er velkomne. Hver måned sender vi de tre idéer med flest \
stemmer videre til Teknik og Miljø, som svarer offentligt her."""

IDEAS = (
    IdeaText(
        title="Havnebad ved Nordkajen",
        body="""\
Når containerne er væk, er Nordkajen det oplagte sted til et havnebad. Der er sol \
det meste af dagen, og vandet er dybt nok.

Det skal have:

- et lavvandet område til børn
- en rampe, så kørestolsbrugere også kan komme i vandet
- omklædning og toiletter, der er åbne hele året – også for vinterbadere

Se bare, hvad havnebadene har gjort for byer som Aarhus og Aalborg.""",
        month=-2, appeal=10,
        responses=(
            Response("accepted", """\
Tak for idéen – og tak til de mange, der har stemt og kommenteret. Et havnebad ved \
Nordkajen er det, flest af jer har ønsket jer.

Vi har taget vandprøver ved Nordkajen hele sommeren, og vandkvaliteten er god nok til \
badning. Byrådet har derfor besluttet at bruge 5,5 mio. kr. af puljen på et havnebad \
med et lavvandet børnebassin, rampe og omklædning, der er åben hele året. Vi holder et \
borgermøde om udformningen, inden vi sender opgaven i udbud."""),
        ),
        threads=(
            Thread("Ja tak! Vi kører i dag 25 minutter for at bade med børnene.", (
                Reply("Samme her. Det ville være fantastisk at kunne cykle derhen."),
            )),
            Thread("Husk en livredder om sommeren, hvis der kommer mange børn.", (
                Reply("God pointe – det skal med i driften.", by_author=True),
            )),
            Thread("Hvad med vinterbadning? Vi er en flok, der gerne vil hjælpe med at drive "
                   "en sauna.", (
                Reply("Lyder godt. Måske kan en forening stå for saunaen?"),
                Reply("Det vil jeg gerne være med til."),
            )),
        ),
    ),
    IdeaText(
        title="Flere bænke med ryglæn langs promenaden",
        body="""\
Fra Pakhuskajen til Fiskerihavnen er der næsten ingen steder at sætte sig. For os, der \
ikke går så langt ad gangen, betyder det, at turen langs vandet er for lang.

Sæt bænke **med ryglæn og armlæn** op med højst 100 meters mellemrum – gerne nogle i \
læ og nogle i skygge.""",
        month=-2, appeal=9, author="resident",
        responses=(
            Response("accepted", """\
Tak for en enkel og god idé. Vi er enige i, at promenaden skal kunne bruges af alle, \
også dem, der har brug for at hvile sig undervejs. Teknik og Miljø sætter bænke med \
ryglæn og armlæn op langs hele promenaden, med højst 100 meter imellem."""),
            Response("implemented", """\
Nu står de der: 24 nye bænke med ryglæn og armlæn mellem Pakhuskajen og Fiskerihavnen, \
heraf seks i læ ved de gamle pakhuse. Sig endelig til her på siden, hvis der mangler en \
bænk et sted."""),
        ),
        threads=(
            Thread("Min mor på 84 ville komme meget mere ud, hvis der var steder at hvile.", (
                Reply("Det var netop tanken. Tak!", by_author=True),
            )),
            Thread("Gerne nogle borde også, så man kan spise sin madpakke."),
        ),
    ),
    IdeaText(
        title="Skraldespande, der ikke flyder over i weekenden",
        body="""\
Hver søndag i sommer flød skraldespandene på havnen over, og mågerne spredte affaldet \
ud over kajen. Der skal flere og større skraldespande til, og de skal tømmes i \
weekenden.""",
        month=-2, appeal=7.5,
        responses=(
            Response("under_review", """\
Tak for idéen. Vi tømmer i dag skraldespandene på havnen mandag, onsdag og fredag. Vi \
undersøger nu, om vi kan sætte nedgravede affaldsbeholdere op ved Pakhuskajen og \
Nordkajen. De kan rumme ti gange så meget og holder mågerne ude."""),
            Response("accepted", """\
Vi sætter fire nedgravede affaldsbeholdere op ved Pakhuskajen og Nordkajen, og indtil \
de er på plads, tømmer vi også skraldespandene lørdag og søndag fra maj til september."""),
        ),
    ),
    IdeaText(
        title="Overdækket legeplads i de gamle pakhuse",
        body="""\
Pakhusene på Nordkajen står tomme. Et af dem kunne blive en overdækket legeplads, hvor \
børnefamilier kan mødes, også når det regner – og det gør det jo tit.

Det behøver ikke at være dyrt: klatrevægge, sandkasse, plads til at løbe og et sted, \
hvor forældre kan drikke en kop kaffe.""",
        month=-1, appeal=9,
        responses=(
            Response("under_review", """\
Tak for idéen, som mange børnefamilier har stemt på. Pakhusene er fredede, og vi skal \
derfor først have undersøgt, hvad bygningerne kan bruges til, og hvad det vil koste at \
gøre et af dem klar. Vi forventer svar fra rådgiverne i løbet af et par måneder og \
fortæller her, hvad de siger."""),
        ),
        threads=(
            Thread("Det mangler vi virkelig i byen fra oktober til marts.", (
                Reply("Ja! Og gerne med plads til de helt små."),
            )),
            Thread("Kunne det kombineres med en café, der betaler husleje? Så er driften "
                   "dækket."),
        ),
    ),
    IdeaText(
        title="Lys på stien langs Sydstranden",
        body="""\
Stien langs Sydstranden er helt mørk fra oktober. Mange går eller løber der efter \
arbejde, og det føles utrygt. Lav belysning, der ikke generer fuglene, ville være nok.""",
        month=-1, appeal=8,
        responses=(
            Response("accepted", """\
Tak for idéen. Vi sætter lav, nedadrettet belysning op langs de 1,2 km sti fra \
Sydstranden til lystbådehavnen. Lyset bliver tændt fra solnedgang til midnat og er \
valgt, så det generer fugle og naboer mindst muligt."""),
        ),
    ),
    IdeaText(
        title="Madmarked om lørdagen på Pakhuskajen",
        body="""\
Et fast madmarked om lørdagen med boder fra lokale landmænd, fiskere og bagere ville \
give liv til havnen hele året.""",
        month=-1, appeal=7,
        threads=(Thread("Gerne med fisk direkte fra kutterne i Fiskerihavnen."),),
    ),
    IdeaText(
        title="Gratis parkering på havnen om aftenen",
        body="Parkering på havnen koster 18 kr. i timen til kl. 22. Gør det gratis efter kl. 17.",
        month=-1, appeal=5,
    ),
    IdeaText(
        title="Sauna og vinterbadeklub på Nordkajen",
        body="""\
Vinterbadning er blevet populært, men vi har ingen sauna i byen. En lille sauna ved \
vandet, drevet af en forening, kunne samle mange.""",
        month=-2, appeal=5,
    ),
    IdeaText(
        title="Offentlige toiletter, der er åbne hele året",
        body="""\
Toiletterne ved lystbådehavnen lukker 1. oktober. Det gør det svært for ældre og \
børnefamilier at bruge havnen om vinteren.""",
        month=-2, appeal=5,
    ),
    IdeaText(
        title="Bevar de gamle havnekraner som vartegn",
        body="""\
De to røde kraner på Nordkajen er det, man ser, når man kommer til byen. Lad dem blive \
stående, og sæt lys på dem om aftenen.""",
        month=-2, appeal=4,
    ),
    IdeaText(
        title="Kajakudlejning ved lystbådehavnen",
        body="Et sted at leje kajak og paddleboard for en time ville gøre vandet tilgængeligt "
             "for alle – ikke kun for dem, der har egen båd.",
        month=-2, appeal=3.5,
    ),
    IdeaText(
        title="Drikkevand langs promenaden",
        body="To eller tre vandposter langs promenaden, så man kan fylde flasken op på "
             "løbeturen eller på stranden.",
        month=-2, appeal=3,
    ),
    IdeaText(
        title="Læhegn og beplantning mod vestenvinden",
        body="""\
Havnen er smuk, men der er altid koldt på grund af vinden. Beplantning og læhegn ved \
bænkene og legepladsen ville gøre det rarere at blive.""",
        month=-1, appeal=4,
    ),
    IdeaText(
        title="Fiskeplatform for børn ved Fiskerihavnen",
        body="En sikker platform med rækværk, hvor børn kan fiske krabber og hundestejler.",
        month=-1, appeal=3.5,
    ),
    IdeaText(
        title="Lad de unge male pakhusmurene",
        body="""\
Pakhusenes bagmure er grå og kedelige. Lad elever fra Havnestad Gymnasium og \
ungdomsskolen male dem sammen med en kunstner.""",
        month=0, appeal=6,
    ),
    IdeaText(
        title="Bedre skilte fra banegården til havnen",
        body="Turister og nye borgere finder ikke vej fra banegården til havnen. Skilte og "
             "en tydelig gangrute gennem Havnegade ville hjælpe.",
        month=0, appeal=3,
    ),
    IdeaText(
        title="Udendørs fitness ved Sydstranden",
        body="""\
Et par træningsredskaber ved stranden, så man kan træne gratis i frisk luft:

- pull-up-stang
- bænk til mavebøjninger
- trin til step-øvelser""",
        month=0, appeal=5,
    ),
    IdeaText(
        title="Faste grillpladser med borde",
        body="Faste grill og borde ved Sydstranden, så folk ikke sætter engangsgrill på "
             "græsset.",
        month=0, appeal=4,
    ),
    IdeaText(
        title="Skøjtebane på havnen i december",
        body="En lille skøjtebane ved Pakhuskajen i december og januar kunne gøre havnen "
             "til et sted, man også besøger om vinteren.",
        month=0, appeal=3, withdrawn=True,
    ),
)

COMMENTS = (
    "Ja tak! Det ville gøre havnen til et sted, man har lyst til at blive.",
    "God idé. Husk at tænke på dem, der bruger kørestol eller rollator.",
    "Jeg bor på Pakhuskajen og kan kun bakke op.",
    "Hvad vil det koste at drive bagefter? Det er jo ikke kun anlægget, der koster.",
    "Min familie og jeg ville bruge det hver weekend.",
    "Fint, men det må ikke blive for larmende om aftenen for os, der bor der.",
    "Det vil også trække turister til byen.",
    "Endelig nogen, der tænker på havnen om vinteren også.",
    "Jeg håber, at Teknik og Miljø lytter til det her.",
    "Kunne det laves i samarbejde med en forening? Så bliver det også passet godt på.",
    "Stemt! Det er sådan noget, der gør en by god at bo i.",
)

HARBOUR = PurposeText(
    key="harbour", slug="en-bedre-havnefront", title="En bedre havnefront",
    statement=STATEMENT, audience="residents", ideas=IDEAS, comments=COMMENTS,
    eligibility="verified_residency",
)
