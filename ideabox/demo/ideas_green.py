""""Grønnere hverdag": everybody's purpose, for the municipality's climate plan."""

from __future__ import annotations

from ideabox.demo.model import IdeaText, PurposeText, Reply, Response, Thread

STATEMENT = """\
Havnestad Kommune skal være klimaneutral i 2035. Det klarer vi ikke med store anlæg \
alene – det kræver, at det er let at vælge grønt i hverdagen.

**Hvad kan kommunen gøre, så det bliver lettere for dig at leve grønnere – derhjemme, \
på vej til arbejde og i dit nabolag?**

Alle kan være med: borgere, foreninger og kommunens medarbejdere. Hver måned sender vi \
de tre idéer med flest stemmer videre til Klima og Miljø, som svarer offentligt på dem."""

IDEAS = (
    IdeaText(
        title="Delecykler ved alle stationer",
        body="""\
Mange af os tager toget til Havnestad Station og skal så videre til arbejde eller \
skole. Delecykler – også elcykler og ladcykler – ved stationerne i Havnestad, Nørreby \
og Fjordby ville gøre det let at lade bilen stå.""",
        month=-2, appeal=9,
        responses=(
            Response("accepted", """\
Tak for idéen. Klima og Miljø har indgået aftale med et delecykelfirma om 120 cykler, \
heraf 40 elcykler og 10 ladcykler, ved stationerne i Havnestad, Nørreby og Fjordby. \
Kommunen betaler for stativerne, og cyklerne lejes med en app. Vi skriver her, når de \
første stationer åbner."""),
        ),
        threads=(
            Thread("Gerne også ved Vesterhede – der går kun en bus hver time.", (
                Reply("Enig, landsbyerne må ikke blive glemt."),
            )),
            Thread("Vi har prøvet delecykler i kommunens egne afdelinger, og de bliver brugt "
                   "meget. Så det ved vi virker.", by_staff=True),
        ),
    ),
    IdeaText(
        title="Byttestation for møbler og ting på genbrugspladsen",
        body="""\
Hver weekend bliver gode møbler, cykler og legetøj smidt i containerne på \
genbrugspladsen. Lad os få en overdækket byttestation, hvor man kan stille ting, som \
andre kan tage med hjem – gratis.""",
        month=-2, appeal=8,
        responses=(
            Response("accepted", """\
Tak for idéen. Vi indretter en byttestation i den gamle maskinhal på genbrugspladsen \
i Søndermark. Medarbejderne på pladsen hjælper med at vurdere, hvad der kan bruges \
igen."""),
            Response("implemented", """\
Byttestationen er åben på genbrugspladsens åbningstider. På de første fire uger har \
over 3.000 ting fået et nyt hjem. Tak til alle, der har stemt, og til de frivillige fra \
Søndermark Grundejerforening, der har hjulpet med at sætte reoler op."""),
        ),
        threads=(
            Thread("Super idé. Jeg har selv smidt en god reol ud, fordi jeg ikke vidste, hvor "
                   "jeg ellers skulle gøre af den."),
            Thread("Kan man også aflevere tøj?", (
                Reply("Tøj kan afleveres i tøjcontainerne – byttestationen er til ting og "
                      "møbler.", by_author=True),
            )),
        ),
    ),
    IdeaText(
        title="Gratis bus for unge under 18",
        body="""\
Hvis unge vænner sig til at tage bussen, gør de det også som voksne. Gratis bus for \
alle under 18 år i hele kommunen ville også gøre det lettere at komme til sport og \
fritidsjob uden at blive kørt.""",
        month=-2, appeal=7.5,
        responses=(
            Response("rejected", """\
Tak for idéen og for de mange stemmer. Vi har regnet på det: Gratis bus for alle under \
18 år vil koste kommunen omkring 9 mio. kr. om året i mistet billetindtægt, og den \
erfaring, andre kommuner har, viser, at det især er unge, der i forvejen tog bussen, \
der bruger den.

Derfor har byrådet valgt ikke at indføre gratis bus. I stedet sætter vi flere afgange \
ind om eftermiddagen på linjerne til Nørreby og Vesterhede, hvor mange unge skal til \
sport, og vi giver et tilskud, så ungdomskortet bliver 30 procent billigere."""),
        ),
        threads=(
            Thread("Det vil især hjælpe familier, der ikke har råd til to biler."),
            Thread("Hvad koster det? Det skal vel betales et sted fra.", (
                Reply("Godt spørgsmål. Måske kunne det starte med ungdomsskolens elever?"),
            )),
        ),
    ),
    IdeaText(
        title="Flere ladestandere i boligkvartererne",
        body="""\
Vi, der bor i lejlighed, har ingen steder at lade elbilen op. Ladestandere er der kun \
ved supermarkederne. Sæt ladestandere op på de kommunale parkeringspladser i \
boligkvartererne, gerne med en lav pris om natten.""",
        month=-1, appeal=8.5,
        responses=(
            Response("under_review", """\
Tak for idéen. Klima og Miljø er ved at kortlægge, hvor behovet er størst, og vi har \
bedt tre operatører om tilbud på ladestandere på kommunens parkeringspladser i \
Søndermark, Nørreby og Havnestad midtby. Vi svarer her, når vi kender prisen."""),
        ),
    ),
    IdeaText(
        title="Regnbede og plantekasser på skolevejene",
        body="""\
Mange skoleveje er brede asfaltflader. Regnbede og plantekasser ville tage regnvandet, \
sænke farten på bilerne og gøre vejen grønnere og tryggere for børnene.""",
        month=-1, appeal=7,
        threads=(Thread("Og så kunne skolerne passe nogle af kasserne i natur/teknologi."),),
    ),
    IdeaText(
        title="Mere grøn mad i de kommunale kantiner",
        body="""\
Lad den grønne ret være dagens ret i kommunens kantiner og på plejehjemmene, og lad \
kød være et tilvalg. Det sparer CO2 og penge.""",
        month=-1, appeal=7,
        responses=(
            Response("accepted", """\
Tak for idéen. Fra næste måned er dagens ret grøn to dage om ugen i alle kommunens \
kantiner, og der er altid et grønt valg. På plejehjemmene beslutter beboerrådene selv, \
hvad de vil have – dér er der ingen ændring."""),
        ),
        threads=(
            Thread("Som kok i kantinen på rådhuset kan jeg sige, at det godt kan lade sig "
                   "gøre. Men det skal smage godt, ellers spiser folk ikke maden.",
                   by_staff=True),
        ),
    ),
    IdeaText(
        title="Reparationscafé på biblioteket",
        body="""\
En gang om måneden kan frivillige hjælpe med at reparere cykler, tøj, lamper og små \
elektriske ting på biblioteket. Det er hyggeligt, og man lærer noget.""",
        month=-2, appeal=5,
    ),
    IdeaText(
        title="Hjælp til at skifte oliefyret ud",
        body="""\
Der er stadig mange oliefyr i Vesterhede og Lyngbakken, hvor der ikke kommer \
fjernvarme. Kommunen kunne tilbyde gratis rådgivning om varmepumper og hjælp til at \
søge tilskud.""",
        month=-2, appeal=5,
    ),
    IdeaText(
        title="Kompostbeholdere til rækkehuse",
        body="Mange i rækkehuse vil gerne kompostere, men har ikke plads. Fælles "
             "kompostbeholdere pr. rækkehusrække ville hjælpe.",
        month=-2, appeal=3.5,
    ),
    IdeaText(
        title="Lad græsset gro på kommunens arealer",
        body="""\
Slå kun græsset, hvor folk går og leger, og lad resten blive til blomstereng. Det er \
godt for bierne og sparer penge til græsslåning.""",
        month=-2, appeal=5,
    ),
    IdeaText(
        title="Skolegader: lukket for biler om morgenen",
        body="""\
Luk vejen foran skolen for biler fra 7.45 til 8.15. Så bliver det trygt at cykle og gå, \
og færre forældre kører deres børn helt hen til døren.""",
        month=-1, appeal=5,
    ),
    IdeaText(
        title="Pant på take-away-kopper i byen",
        body="""\
Lad caféerne i midtbyen gå sammen om en fælles kop med pant, som kan afleveres i alle \
caféerne. Kommunen kan hjælpe med at komme i gang.""",
        month=-1, appeal=4,
    ),
    IdeaText(
        title="Værktøjsbibliotek, hvor man kan låne en boremaskine",
        body="""\
Hvorfor skal alle eje en boremaskine, en stige og en trailer? Et værktøjsbibliotek, \
hvor man låner med sit sundhedskort, ville spare både penge og ressourcer.

Det kunne ligge:

- på biblioteket i Havnestad
- på genbrugspladsen i Søndermark""",
        month=-1, appeal=4.5,
    ),
    IdeaText(
        title="Solceller på alle kommunale tage",
        body="Skoler, haller og plejehjem har store tage. Sæt solceller op, så kommunen "
             "selv producerer strøm.",
        month=0, appeal=7,
    ),
    IdeaText(
        title="Sikker cykelparkering ved Havnestad Station",
        body="""\
Der bliver stjålet mange cykler ved stationen. En overdækket og aflåst \
cykelparkering, hvor man kan stå med sit rejsekort, ville få flere til at cykle til \
toget.""",
        month=0, appeal=5.5,
    ),
    IdeaText(
        title="Frøbibliotek på biblioteket",
        body="Et skab med frø, som man kan tage og give. Det er gratis og får flere til at "
             "dyrke grøntsager og blomster.",
        month=0, appeal=3,
    ),
    IdeaText(
        title="Tøjbyttedag på skolerne",
        body="To gange om året kan forældre bytte børnetøj, flyverdragter og gummistøvler i "
             "skolens gymnastiksal.",
        month=0, appeal=4,
    ),
    IdeaText(
        title="Kampagne mod madspild i kommunens køkkener",
        body="""\
Vej madspildet i alle kommunens køkkener én uge om året, og del tallene. Så kan vi se, \
hvor vi bliver bedre.""",
        month=0, appeal=2.5,
    ),
    IdeaText(
        title="Vandposter på alle legepladser",
        body="Børnene drikker mere vand, hvis det er lige ved hånden – og forældre køber "
             "færre plastflasker.",
        month=0, appeal=2.5,
    ),
)

COMMENTS = (
    "God idé – det skal være lettere at gøre det rigtige.",
    "Vi har gjort noget lignende i vores grundejerforening, og det virker.",
    "Husk også landsbyerne: Vesterhede, Lyngbakken og Fjordby.",
    "Jeg er med, hvis det er nemt at finde ud af.",
    "Det ville spare både penge og CO2. Stemt!",
    "Kunne skolerne være med? Så lærer børnene det også.",
    "Det her kan foreningerne hjælpe med. Sig til, hvis I mangler frivillige.",
    "Fint forslag, men hvem skal betale for driften?",
    "Endelig et forslag, man selv kan være med til.",
    "Jeg bakker op. Små ting gør også en forskel, når mange gør dem.",
)

GREEN = PurposeText(
    key="green", slug="groennere-hverdag", title="Grønnere hverdag",
    statement=STATEMENT, audience="everyone", ideas=IDEAS, comments=COMMENTS,
)
