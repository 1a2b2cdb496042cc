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
import { latinKey } from './name-variants.js';
import { romanisations } from './romanise.js';

const TABLE = `
robert bob bobby bobbie rob robbie robby bert
william bill billy will willie willy liam
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
christopher chris
daniel danny
david dave davey
matthew matty
andrew andy
benjamin benny benji
samuel sam sammy
alexander alex alec xander
nicholas nicky
patrick paddy
peter pete
stephen steve stevie
steven steve stevie
timothy tim timmy
gregory greg
kenneth ken kenny
ronald ron ronnie
donald donnie
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
herbert bert
jeffrey jeff
joshua josh
nathaniel nate
nathan nate
zachary zach zack
jacob jake
philip phil
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
wesley wes
isaac ike
ezekiel zeke
abraham abe
mitchell mitch
randolph randy
russell russ
tobias toby
clifford cliff
augustus gus
elizabeth liz lizzie beth betty betsy eliza libby bess bessie elsie
margaret maggie meg peg peggy margie
katherine kate katie kathy kitty
catherine cathy cate kate katie
kathleen kathy kath
jennifer jen jenny jenn jenni jennie
patricia patty trish tricia
deborah deb debbie
rebecca becky becca
susan sue susie
suzanne sue suzy
barbara barb babs
victoria vicky
christina chrissy tina
christine chrissy tina
jessica jess jessie
samantha sam sammy
alexandra alex lexi sasha
dorothy dottie dolly
eleanor ellie nell nora
helen nell nellie
frances fran fanny
judith judy
josephine jo josie
joanna jo jojo
joanne jo
jane janie janey
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
rosemary rosie
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
dolores lola loli lolita
concepción conchita
enrique quique
ignacio nacho
manuel manolo
jesús chucho chuy
rosario charo
josé pepe
giuseppe beppe peppe pino
giovanni gianni vanni
francesco checco
salvatore totò turi
domenico mimmo
zofia zosia zośka zosieńka
małgorzata gosia gośka małgosia
katarzyna kasia
aleksandra ola
agnieszka aga
anna ania anka
maria marysia
elżbieta ela
aleksander olek
stanisław staszek stasiek
władysław władek
tomasz tomek
wojciech wojtek
piotr piotrek piotruś
józef józek
jan janek
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
мария маша masha
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
лев лёва lyova
яков яша yasha
вячеслав славик
ярослав славик
станислав стас stas
γεώργιος γιώργος γιώργης γιωργάκης giorgos yiorgos
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
 * Russian everyday names whose declined forms are everyday words: Кости (bones), Жене (wife),
 * Люди (people), Колю (I inject), Милой (dear), Лёвой (folded: левой, left).
 */
const UNDECLINED = new Set(['костя', 'женя', 'люда', 'коля', 'мила', 'лева']);

/** Never a short form of another name, only a name itself: Jan is also January. */
const NEVER_FORMS = new Set(['jan']);

/**
 * The forms an everyday name is also written in, made by rule: a Russian one declined and made
 * smaller (Юра → Юру, Юры, Юре, Юрой, Юрочка, Юрочку, Юренька; Катя → Катю, Кати, Кате, Катей), in
 * Latin letters only made smaller (Yurochka: its declined Latin forms are English words, Anya →
 * Any); a Greek one declined (Γιώργος → Γιώργο, Γιώργου; Γιάννης → Γιάννη; Κατερίνα →
 * Κατερίνας); a Polish one (Zosia → Zosi, Zosię; Tomek → Tomka, Tomkiem). The small suffixes
 * -ка, -ушка are left out (Катушка is a coil, Серёжка an earring), and so are cases that are
 * words (Настой, Витой: only an -а name takes -ой). Folded as text is.
 */
/** A smaller form's suffix with its cases (Юрочка, Юрочку, Юрочки, Юрочке, Юрочкой). */
const SMALLER = (suffix: string): string[] => ['а', 'у', 'и', 'е', 'ой'].map((e) => suffix + e);

function derivedForms(form: string, cyrillicRow: boolean): string[] {
  const endings = (stem: string, list: readonly string[]) =>
    stem.length >= 2 ? list.map((e) => foldString(stem + e)) : [];
  if (/^\p{Script=Cyrillic}+а$/u.test(form) && !UNDECLINED.has(form)) {
    const stem = form.slice(0, -1);
    const hushing = /[жшщчц]$/u.test(stem);
    const yi = /[гкхжшщч]$/u.test(stem) ? 'и' : 'ы';
    const small = hushing ? 'ечк' : 'очк'; // Машечка, Юрочка
    return endings(stem, ['у', yi, 'е', hushing ? 'ей' : 'ой', ...SMALLER(small), ...SMALLER('еньк')]);
  }
  if (/^\p{Script=Cyrillic}+я$/u.test(form) && !UNDECLINED.has(form))
    return endings(form.slice(0, -1), ['ю', 'и', 'е', 'ей', ...SMALLER('ечк'), ...SMALLER('еньк')]);
  if (cyrillicRow && /^[a-z]+a$/.test(form))
    return endings(form.replace(/y?a$/, ''), ['ochka', 'echka', 'enka']);
  // Folded, a final ς is σ. The vocative (Γιώργο, Πάνε) is left out where it is a word.
  if (/^\p{Script=Greek}+οσ$/u.test(form)) return endings(form.slice(0, -2), ['ο', 'ου']);
  if (/^\p{Script=Greek}+[ηα]σ$/u.test(form)) return endings(form.slice(0, -1), ['']);
  if (/^\p{Script=Greek}+α$/u.test(form)) return endings(form, ['σ']);
  if (/^[a-zżźćńółęąś]+[sz]ia$/u.test(form)) return endings(form.slice(0, -1), ['', 'ę', 'ą', 'u']);
  if (/^[a-zżźćńółęąś]{2,}ek$/u.test(form)) return endings(form.slice(0, -2), ['ka', 'kowi', 'kiem', 'ku']);
  return [];
}

/** A Polish or other Latin name as it is also written without its letters' marks (ł → l). */
const plain = (name: string): string => name.replace(/ł/g, 'l');

/**
 * Folded name → the folded forms it is also written in (never itself). A Cyrillic or Greek name
 * is also a key in its Latin spellings (IVANOV^YURIY gets Yura); forms are not romanised (Маша
 * would be Masa, a Spanish word): the table lists the Latin forms people use.
 */
function index(): ReadonlyMap<string, ReadonlySet<string>> {
  const forms = new Map<string, Set<string>>();
  for (const line of TABLE.split('\n')) {
    const written = line.trim().split(/\s+/).filter(Boolean);
    const listed = written.map(foldString);
    const formal = listed[0];
    if (formal === undefined) continue;
    const cyrillicRow = /^\p{Script=Cyrillic}/u.test(formal);
    // Romanised as written (й is y there; folded, it is и).
    const spellings = [formal, ...romanisations(written[0] as string)];
    const shorts = listed.slice(1).flatMap((f) => [f, ...derivedForms(f, cyrillicRow)]);
    const names = [...new Set([...spellings, ...shorts].flatMap((n) => [n, plain(n)]))];
    for (const a of names) {
      let set = forms.get(a);
      if (!set) forms.set(a, (set = new Set()));
      for (const b of names) if (b !== a && !NEVER_FORMS.has(b)) set.add(b);
    }
  }
  return forms;
}

let table: ReadonlyMap<string, ReadonlySet<string>> | undefined;

/** The table's Latin names by the key that forgets what spellings disagree on (Sergei, Sergey). */
let byKey: ReadonlyMap<string, string> | undefined;

/** The other forms of a given name (folded), or none; a Latin one also in another spelling. */
export function nicknamesOf(foldedName: string): ReadonlySet<string> | undefined {
  table ??= index();
  const hit = table.get(foldedName);
  if (hit || !/^[a-z]{4,}$/.test(foldedName)) return hit;
  byKey ??= new Map([...table.keys()].filter((k) => /^[a-z]+$/.test(k)).map((k) => [latinKey(k), k]));
  const spelt = byKey.get(latinKey(foldedName));
  return spelt === undefined ? undefined : table.get(spelt);
}

/** The short forms of a name token as written (any case, with its accents), folded. */
export function shortFormsOf(name: string): string[] {
  return [...(nicknamesOf(foldString(name)) ?? [])];
}
