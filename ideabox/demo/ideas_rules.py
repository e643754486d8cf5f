""""Regler vi kan afskaffe": the staff's purpose, after the trust reform."""

from __future__ import annotations

from ideabox.demo.model import IdeaText, PurposeText, Reply, Response, Thread

STATEMENT = """\
Du kender dit arbejde bedre end nogen regel. Byrådet har vedtaget en **tillidsreform**: \
Vi vil bruge mindre tid på kontrol og dokumentation og mere tid på borgerne.

Derfor spørger vi dig som medarbejder: **Hvilke regler, skemaer og procedurer kan vi \
afskaffe eller gøre enklere?**

- en blanket, der bliver udfyldt, men aldrig læst
- en godkendelse, der tager uger, men altid ender med et ja
- den samme oplysning, der skal skrives ind i to systemer

Skriv, hvad reglen er, hvorfor den står i vejen, og hvad du foreslår i stedet. Hver \
måned sender vi de tre idéer med flest stemmer videre til direktionen, som svarer \
offentligt her – også når svaret er nej, og så med en begrundelse.

Nogle regler kommer fra lovgivningen og kan ikke afskaffes lokalt. Dem vil vi også gerne \
høre om: Så tager vi dem med i dialogen med KL og ministerierne."""

IDEAS = (
    IdeaText(
        title="Drop den ugentlige timeregistrering for fastansatte",
        body="""\
I dag registrerer vi alle timer på sagsnumre hver uge – også dem af os, der har faste \
arbejdstider og aldrig har overarbejde. Det tager 15–20 minutter om ugen, og så vidt jeg \
ved, bliver tallene ikke brugt til noget.

Mit forslag:

- Fastansatte registrerer kun **afvigelser**: overarbejde, fravær og afspadsering.
- Tid på sager registreres kun i projekter, hvor vi faktisk skal bruge tallene.

Med 1.800 medarbejdere i administrationen er det flere end 25.000 timer om året.""",
        month=-2, appeal=10, author="staff",
        responses=(
            Response("accepted", """\
Tak for idéen – ingen idé har fået så mange stemmer fra jer. Direktionen har besluttet, \
at fastansatte uden flekstid fremover kun registrerer afvigelser: overarbejde, fravær og \
afspadsering. Tidsregistrering på sagsnumre bliver kun et krav i projekter, der skal \
afregnes.

HR og Digitalisering tilpasser systemet og sender en kort vejledning ud. Vi skriver her, \
når ændringen træder i kraft."""),
            Response("implemented", """\
Nu er det sket: Fastansatte registrerer kun afvigelser, og ugeskemaet er væk fra \
forsiden af tidsregistreringen. Om et halvt år spørger vi jer, hvordan det virker, og \
om der er noget, vi har overset.

Tak til alle, der stemte og kommenterede."""),
        ),
        threads=(
            Thread("Ja tak. Jeg har aldrig fået at vide, hvad tallene bruges til.", (
                Reply("De bruges vist til budgetopfølgning, men kun på projekterne."),
                Reply("Præcis – og derfor er forslaget at beholde det dér.", by_author=True),
            )),
            Thread("Hvad med os på flekstid? Vi skal vel stadig registrere?", (
                Reply("Ja, flekstid kræver registrering efter aftalen. Idéen handler om "
                      "dem med faste tider.", by_author=True),
            )),
            Thread("Vi drøftede det på personalemødet i Borgerservice, og alle var enige.",
                   by_staff=True),
        ),
    ),
    IdeaText(
        title="Én underskrift i stedet for tre på indkøb under 10.000 kr.",
        body="""\
Når min institution køber ind for over 2.000 kr., skal det godkendes af leder, \
områdeleder og Økonomi. Det tager ofte to uger – også når varen står på kommunens \
egen indkøbsaftale.

Forslag: Indkøb under 10.000 kr. på en indkøbsaftale godkendes af nærmeste leder alene. \
Økonomi kan stadig følge med i indkøbssystemet bagefter.""",
        month=-2, appeal=8,
        responses=(
            Response("accepted", """\
Tak for idéen. Vi er enige: Tre godkendelser er for meget, når varen allerede er \
udbudt. Fra næste måned kan nærmeste leder alene godkende indkøb under 10.000 kr. på \
kommunens indkøbsaftaler. Økonomi følger op med stikprøver i stedet for at godkende \
hver ordre.

Indkøb uden for aftalerne kræver fortsat Økonomis godkendelse, fordi vi skal overholde \
udbudsreglerne."""),
        ),
        threads=(
            Thread("Stærkt forslag. Vi ventede 17 dage på en ny opvaskemaskine sidste år."),
            Thread("Enig, men husk at stikprøver også kræver tid i Økonomi.", (
                Reply("Det er stadig mindre tid end at godkende hver eneste ordre."),
            )),
        ),
    ),
    IdeaText(
        title="Lad os droppe børneattester for hver ny frivillig",
        body="""\
I klubberne og på biblioteket bruger vi frivillige til lektiecafé og arrangementer. \
Hver gang skal vi indhente en børneattest, og det kan tage op til tre uger, før den \
frivillige må gå i gang. Mange opgiver undervejs.

Kan vi nøjes med attesten for dem, der er alene med børnene?""",
        month=-2, appeal=7,
        responses=(
            Response("rejected", """\
Tak for idéen og for jeres store indsats med de frivillige. Vi kan desværre ikke \
afskaffe kravet: Det står i loven, at vi skal indhente børneattest for alle, der som \
led i deres opgaver har direkte kontakt med børn under 15 år – også når en medarbejder \
er til stede.

Men ventetiden kan vi gøre noget ved. HR har nu en fast medarbejder, der behandler \
attester inden for to hverdage, og den frivillige kan give samtykke digitalt med \
MitID. Vi tager også kravet med i den dialog om regelforenkling, vi har med KL."""),
        ),
        threads=(
            Thread("Det er vist et lovkrav, så jeg tvivler på, at vi kan ændre det."),
            Thread("Selv hvis kravet bliver, ville kortere ventetid hjælpe meget.", (
                Reply("Enig. Tre uger er det, der får folk til at springe fra."),
            )),
        ),
    ),
    IdeaText(
        title="Lad hjemmeplejen selv tilpasse indholdet af besøget",
        body="""\
I hjemmeplejen er hvert besøg visiteret ned til ydelser og minutter. Når borgeren en \
dag hellere vil have hjælp til at komme ud at gå end til at få støvsuget, må vi ikke \
bytte uden en ny visitation.

Forslag: Giv os en samlet tid pr. borger om ugen, og lad os sammen med borgeren \
bestemme, hvad tiden bruges til. Vi dokumenterer kort, hvad vi har lavet.""",
        month=-1, appeal=9,
        responses=(
            Response("under_review", """\
Tak for en idé, som rammer kernen i tillidsreformen. Sundhed og Omsorg undersøger nu \
sammen med de faglige organisationer, hvordan et forsøg med en samlet ugentlig tid kan \
se ud i to distrikter, og hvad det kræver af dokumentationen og af omsorgssystemet.

Vi svarer her, når forsøget er planlagt, og vi vil gerne høre fra jer, der har lyst \
til at være med."""),
        ),
        threads=(
            Thread("Det her ville gøre en kæmpe forskel for borgerne og for os.", (
                Reply("Og det er lettere at forklare borgeren end 'det står ikke i "
                      "visitationen'."),
            )),
            Thread("Vi skal have en enkel måde at dokumentere på, ellers flytter vi bare "
                   "bøvlet.", (
                Reply("Enig – et par linjer i journalen bør være nok.", by_author=True),
            )),
        ),
    ),
    IdeaText(
        title="Afskaf kvartalsrapporten om sygefravær",
        body="""\
Hvert kvartal skriver alle ledere en rapport om sygefraværet i deres afdeling, selv om \
tallene allerede ligger i lønsystemet. Rapporten tager en halv dag at skrive, og vi \
hører aldrig noget om den bagefter.

Lad direktionen trække tallene direkte, og lad lederne bruge tiden på samtaler med \
medarbejderne.""",
        month=-1, appeal=8,
        responses=(
            Response("accepted", """\
Tak for idéen. Direktionen har besluttet at afskaffe kvartalsrapporten. HR laver i \
stedet et fast overblik, der hentes direkte fra lønsystemet, og som alle ledere kan se. \
Ledere med et højt fravær bliver kontaktet af HR og tilbudt sparring – ikke bedt om en \
rapport."""),
        ),
    ),
    IdeaText(
        title="Lad teams selv vælge, hvordan de holder møder",
        body="""\
Alle teammøder skal i dag følge den samme skabelon med fast dagsorden og referat, der \
skal gemmes i ESDH-systemet. For små teams, der mødes hver uge, er det mere form end \
indhold.

Forslag: Skabelonen bliver et tilbud, ikke et krav.""",
        month=-1, appeal=6.5,
        threads=(Thread("Referater af beslutninger giver mening, resten kan vi droppe."),),
    ),
    IdeaText(
        title="Kørebog for cykelture i arbejdstiden er overflødig",
        body="""\
Når jeg cykler til et hjemmebesøg, skal jeg føre kørebog, selv om der ikke udbetales \
kørepenge for cykel. Kan vi ikke bare lade være?""",
        month=-2, appeal=3.5,
    ),
    IdeaText(
        title="Færre obligatoriske e-læringskurser",
        body="""\
I år har jeg skullet gennemføre syv e-læringskurser: GDPR, informationssikkerhed, \
arbejdsmiljø, brandsikkerhed og flere til. Mange af dem er de samme som sidste år.

Forslag:

1. En kort repetition hvert andet år i stedet for hele kurset hvert år.
2. Kurser, der passer til ens job – ikke de samme til alle.""",
        month=-2, appeal=4,
    ),
    IdeaText(
        title="Ferieplanlægning i ét system i stedet for tre",
        body="""\
Ferie skal i dag skrives i lønsystemet, i vagtplanen og i en delt kalender. Det giver \
fejl og dobbeltarbejde. Lad vagtplanen hente ferien fra lønsystemet.""",
        month=-2, appeal=4.5,
    ),
    IdeaText(
        title="Risikovurdering skal ikke laves for hver lille tur",
        body="""\
Når vi tager børnene med på biblioteket 300 meter væk, skal vi udfylde en \
risikovurdering på to sider. Lad os lave én vurdering for faste ture og kun skrive en ny, \
når noget er anderledes.""",
        month=-2, appeal=4.5,
    ),
    IdeaText(
        title="Pædagoger må købe ind til turen uden forhåndsgodkendelse",
        body="""\
Et kort med et fast beløb om måneden til frugt, billetter og materialer til ture ville \
spare både os og Økonomi for mange små bilag.""",
        month=-2, appeal=3,
    ),
    IdeaText(
        title="Drop kravet om udskrevne og scannede kontrakter",
        body="""\
Vi printer kontrakter, får dem underskrevet med kuglepen og scanner dem ind igen. \
Digital underskrift med MitID Erhverv er gyldig og findes allerede i kommunen.""",
        month=-2, appeal=4,
    ),
    IdeaText(
        title="Mødelokaler uden begrundelse i bookingen",
        body="Man skal skrive et formål for at booke et mødelokale. Ingen læser det.",
        month=-1, appeal=2,
    ),
    IdeaText(
        title="Vikarer skal kunne oprettes i systemerne på én dag",
        body="""\
Det tager i dag op til en uge, før en vikar har adgang til de systemer, der skal bruges. \
Imens følges vikaren rundt af en kollega. Lav en fast pakke med adgange til vikarer, \
som lederen kan bestille med ét klik.""",
        month=-1, appeal=4.5,
    ),
    IdeaText(
        title="Sikkerhedsrunden hver måned kan blive hvert kvartal",
        body="""\
Vi går sikkerhedsrunde i institutionen hver måned og udfylder det samme skema, selv \
når intet er ændret. Hvert kvartal – og ved ændringer – ville være nok.""",
        month=-1, appeal=3,
    ),
    IdeaText(
        title="Borgere, der ønsker det, kan få svar på e-mail",
        body="""\
Nogle borgere skriver til os på e-mail og vil gerne have svar samme vej. I dag skal vi \
sende svaret i Digital Post, også når det ikke indeholder noget fortroligt. Kan vi få \
en klar vejledning om, hvornår e-mail er i orden?""",
        month=0, appeal=6,
    ),
    IdeaText(
        title="Tillid til lederes egne vurderinger af efteruddannelse",
        body="""\
Ansøgninger om kurser over 5.000 kr. skal i dag godkendes af centerchefen. Lederen \
kender medarbejderen og budgettet – lad lederen beslutte.""",
        month=0, appeal=5,
    ),
    IdeaText(
        title="Afskaf dobbelt registrering af kørsel i eget køretøj",
        body="""\
Kørsel registreres både i kørselsregnskabet og i kalenderen. Lad os nøjes med det ene, \
så kan Løn hente tallene derfra.""",
        month=0, appeal=4,
    ),
    IdeaText(
        title="Fælles rengøringsplan i stedet for ét skema pr. institution",
        body="""\
Alle 34 daginstitutioner har hver deres skema for rengøring og egenkontrol. Et fælles \
skema, som institutionen kan tilpasse, ville spare tid og gøre tilsynet lettere.""",
        month=0, appeal=2.5,
    ),
    IdeaText(
        title="Færre cc-mails om godkendte sager",
        body="""\
Når en sag er godkendt, får fem personer en automatisk e-mail. Lad kun sagsbehandleren \
få besked, så kan andre følge sagen i systemet.""",
        month=0, appeal=2,
    ),
)

COMMENTS = (
    "Enig. Det vil give mere tid til borgerne.",
    "Vi har præcis samme udfordring i min afdeling.",
    "God idé, men vi skal huske, hvorfor reglen blev indført. Kan vi beholde formålet "
    "uden bøvlet?",
    "Ved nogen, om det er et lovkrav eller vores egen regel?",
    "Det ville spare mig for mindst en time om ugen.",
    "Kunne vi prøve det af i et par afdelinger først?",
    "Det her er lige præcis det, tillidsreformen handler om.",
    "Jeg er ikke sikker på, at det kan lade sig gøre, men jeg støtter, at vi undersøger det.",
    "Vi gjorde noget lignende i min tidligere kommune, og det gik fint.",
    "Tak fordi du skriver det. Det har irriteret mange af os længe.",
    "Husk at tage tillidsrepræsentanterne med, hvis det her bliver til noget.",
    "Kan vi få tal på, hvor meget tid det tager i dag? Det ville gøre idéen endnu stærkere.",
)

RULES = PurposeText(
    key="rules", slug="regler-vi-kan-afskaffe", title="Regler vi kan afskaffe",
    statement=STATEMENT, audience="staff", ideas=IDEAS, comments=COMMENTS,
)
