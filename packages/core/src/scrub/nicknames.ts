/**
 * Given names and the short or everyday forms people write them in (Robert → Bob, Margaret →
 * Peggy, Dolores → Lola, Zofia → Zosia, Юрий → Юра, Γεώργιος → Γιώργος): a file names its
 * patient formally, a nurse's note or a letter does not. Forms are found in text only where they
 * are written as names are, a capital then small letters (scrub/lexicon-match.ts): `Will` for a
 * William, never `will`, nor `TED` (thyroid eye disease) for an Edward. Each line is a name, then
 * its forms; a form of several names (Bert: Albert, Robert, Herbert) stands for each. Either way
 * round: a patient called Bob in the header is also looked for as Robert.
 *
 * Compiled by the dcmblind project from common usage (English, German, Dutch, French, Spanish,
 * Italian, Polish, Russian with its usual Latin spellings, Greek); released with it under its
 * licence. Forms that are also clinical words or abbreviations written so are left out: `Gene`,
 * `Ray` (X-Ray), `Al` (mm Al), `Ed`, `Ted`, `Max`, `Frank`, `Rich`, `Jan` (January).
 */
import { foldString } from './fold.js';

const TABLE = `
robert bob bobby rob robbie bert
william bill billy will willie liam
richard dick rick ricky richie
james jim jimmy jamie
john jack johnny
jonathan jon jonny
michael mike mikey mick mickey
thomas tom tommy
joseph joe joey
charles charlie chuck chas
edward eddie teddy ned
henry harry hank hal
anthony tony
christopher chris kit
daniel dan danny
david dave davey
matthew matt matty
andrew andy drew
benjamin ben benny benji
samuel sam sammy
alexander alex alec sandy xander
nicholas nick nicky
patrick pat paddy
peter pete
stephen steve stevie
steven steve stevie
timothy tim timmy
gregory greg
kenneth ken kenny
ronald ron ronnie
donald don donnie
douglas doug
frederick fred freddie freddy
francis frankie
gerald gerry jerry
lawrence larry
leonard len lenny
walter walt wally
albert bert bertie
alfred alf alfie fred
arthur artie
harold harry hal
herbert herb bert
jeffrey jeff
joshua josh
nathaniel nate nat
nathan nate
zachary zach zack
jacob jake
philip phil pip
phillip phil
vincent vince vinny
victor vic
theodore teddy theo
terence terry
jeremy jerry
jerome jerry
bradley brad
oliver ollie
sebastian seb basti
stanley stan
wesley wes
isaac ike
ezekiel zeke
abraham abe
bartholomew bart
mitchell mitch
randolph randy
russell russ
tobias toby
clifford cliff
dominic dom
augustus gus
elizabeth liz lizzie beth betty betsy eliza libby bess bessie elsie
margaret maggie meg peggy marge margie
katherine kate katie kathy kat kitty
catherine cathy cate kate katie
kathleen kathy kath
jennifer jen jenny jenn
patricia pat patty trish tricia
deborah deb debbie
rebecca becky becca
susan sue susie
suzanne sue suzy
barbara barb babs
victoria vicky tori
christina chrissy tina
christine chrissy tina
jessica jess jessie
samantha sam sammy
alexandra alex lexi sasha
dorothy dot dottie dolly
eleanor ellie nell nora
helen nell nellie
frances fran fanny
judith judy
josephine jo josie
joanna jo jojo
joanne jo
abigail abby
amanda mandy
cynthia cindy
pamela pam
stephanie steph
theresa terry tess tessa
teresa terry tess
virginia ginny
angela angie
beatrice bea trixie
caroline carrie
charlotte lottie
mary molly polly
anne annie
sarah sally sadie
madeline maddie
natalie nat
penelope penny
rosemary rosie
valerie val
gertrude trudy gertie
harriet hattie
henrietta etta hettie
matilda tilly tilda
evelyn evie
gabrielle gabby
isabella bella izzy
isabel izzy
jacqueline jackie
julia julie
kimberly kim
lillian lily lil
louise lou
lucille lucy
michelle shelly
nicole nikki
olivia liv
sophia sophie
johannes hans hannes
margarete grete gretel gretl
greta gretel gretl
friedrich fritz
wilhelm willi willy
heinrich heinz
franziska franzi
katharina kathi käthe
elisabeth lisa liesl sissi elli
magdalena magda lena leni madzia
maximilian maxi
josef sepp seppi
nikolaus klaus
cornelis kees
wilhelmina mien mina
brigitte gigi
marguerite margot
francisco paco pancho curro
dolores lola loli
concepción concha conchita
enrique quique
ignacio nacho
guadalupe lupe
manuel manolo
jesús chucho chuy
rosario charo
josé pepe
giuseppe beppe peppe pino
giovanni gianni vanni
francesco checco
salvatore totò turi
domenico mimmo
zofia zosia
małgorzata gosia
katarzyna kasia
aleksandra ola
agnieszka aga
joanna asia
barbara basia
anna ania anka
maria marysia
elżbieta ela
jan janek
aleksander olek
stanisław staszek
władysław władek
tomasz tomek
wojciech wojtek
piotr piotrek
józef józek
александр саша шура sasha shura
александра саша шура sasha shura
алексей алёша лёша alyosha lyosha aljoscha
анна аня нюра anya
анастасия настя nastya
владимир володя вова volodya vova
дмитрий дима митя dima mitya
екатерина катя katya
елена лена lena
иван ваня vanya
мария маша маня masha
михаил миша misha
наталья наташа natasha
наталия наташа natasha
николай коля kolya
ольга оля olya
павел паша pasha
сергей серёжа serezha seryozha
татьяна таня tanya
юрий юра yura jura
евгений женя zhenya
евгения женя zhenya
константин костя kostya
ксения ксюша ksyusha
людмила люда мила lyuda
светлана света sveta
виктор витя vitya
григорий гриша grisha
борис боря borya
пётр петя petya
яков яша yasha
вячеслав слава slava
ярослав слава slava
станислав стас stas
γεώργιος γιώργος γιώργης giorgos yiorgos
κωνσταντίνος κώστας kostas
ιωάννης γιάννης giannis yiannis
δημήτριος δημήτρης dimitris
νικόλαος νίκος nikos
παναγιώτης πάνος τάκης panos takis
ευάγγελος βαγγέλης vangelis
αικατερίνη κατερίνα katerina
αθανάσιος θανάσης thanasis
ελευθέριος λευτέρης lefteris
μιχαήλ μιχάλης michalis
σπυρίδων σπύρος spyros
βασίλειος βασίλης vasilis
αλέξανδρος αλέκος αλέξης alexis
εμμανουήλ μανώλης μάνος manolis
στυλιανός στέλιος stelios
χαράλαμπος μπάμπης babis
`;

/**
 * A Russian everyday name is itself made smaller and declined: Юра → Юрочка, Юрка, Юрик; Юру,
 * Юры, Юрой (and Yurochka, Yuru in Latin letters). Made for the forms ending in -а/-я of a line
 * whose name is written in Cyrillic.
 */
const RUSSIAN_ENDINGS = [
  'у',
  'ы',
  'и',
  'е',
  'ой',
  'ей',
  'ю',
  'очка',
  'ечка',
  'енька',
  'онька',
  'ка',
  'ик',
  'уля',
  'уся',
  'ушка',
];
const RUSSIAN_LATIN_ENDINGS = [
  'u',
  'y',
  'i',
  'e',
  'oy',
  'ey',
  'yu',
  'ochka',
  'echka',
  'enka',
  'onka',
  'ka',
  'ik',
  'ulya',
  'usya',
  'ushka',
];

function russianForms(form: string): string[] {
  const cyrillic = /^\p{Script=Cyrillic}+[ая]$/u.test(form);
  const latin = /^[a-z]+a$/.test(form);
  if (!cyrillic && !latin) return [];
  const stem = form.replace(latin ? /y?a$/ : /[ая]$/, '');
  if (stem.length < 2) return [];
  return (cyrillic ? RUSSIAN_ENDINGS : RUSSIAN_LATIN_ENDINGS).map((e) => stem + e);
}

/** Folded name → the folded forms it is also written in (never itself). */
function index(): ReadonlyMap<string, ReadonlySet<string>> {
  const forms = new Map<string, Set<string>>();
  for (const line of TABLE.split('\n')) {
    const listed = line.trim().split(/\s+/).filter(Boolean).map(foldString);
    const russian = /^\p{Script=Cyrillic}/u.test(listed[0] ?? '');
    const names = russian ? [...listed, ...listed.slice(1).flatMap(russianForms)] : listed;
    for (const a of names) {
      let set = forms.get(a);
      if (!set) forms.set(a, (set = new Set()));
      for (const b of names) if (b !== a) set.add(b);
    }
  }
  return forms;
}

let table: ReadonlyMap<string, ReadonlySet<string>> | undefined;

/** The other forms of a given name (folded), or none. */
export function nicknamesOf(foldedName: string): ReadonlySet<string> | undefined {
  table ??= index();
  return table.get(foldedName);
}
