/**
 * Two or three capitals in a folder or file name that are something else far more often than a
 * patient's initials: the modality codes of PS3.3 C.7.3.1.1.1 (current and retired, those of two
 * or three letters), views, planes and sequence names, body parts, and short words. A patient
 * whose initials are one of these (Cathy Thomas, CT) is still found by name in the same path.
 */
export const NOT_INITIALS: ReadonlySet<string> = new Set(
  // modalities (C.7.3.1.1.1), current and retired
  (
    'AR AU BI BMD CR CT DG DOC DX ECG EPS ES FID GM HC HD IO IOL KER KO LEN LS MG MR NM OAM OCT OP ' +
    'OPM OPT OPV OSS OT PR PT PX REG RF RG RWV SEG SM SMR SR SRF TG US VA XA XC AS CD CF CP CS DD ' +
    'DF DM DS EC FA FS LP MA MS OPR ST VF ' +
    // views, planes, orientations, sequences and reconstructions
    'AP PA LAT LL RL LR AX SAG COR TRA OBL LAO RAO LPO RPO CC MLO ML LM SI IS HF FH LT RT BIL ' +
    'ADC DWI SWI PD SE GRE FSE TSE EPI IR MIP MPR VR VRT CTA MRA DSA PET CXR KUB IVP ABD ' +
    'HR SD FOV ROI LOC SCT TOF PC FFE BB WB MRI EEG EKG USG FDG ' +
    // body parts and places
    'CHE CSP TSP LSP ICU ER ED OR RX ' +
    // words and marks
    'NEW OLD ALL THE AND FOR RAW SUB PRE DUP CPY TMP BAK IMG DCM DIR SER STU PAT ANO NO ID ' +
    // Roman numerals (grade II, series III) and units
    'II III IV VI VII VIII IX XI XII MM CM KV MA MS HU ' +
    // heart chambers and vessels; little words of folder names in several languages
    'LA RA LV RV AO OF TO IN ON AT BY AN IT BE DE LE EL DI DA DU DO EN ET UN OK ' +
    // laterality alone (Smith R knee); one-letter words before a name (С Машей, Z Zosią, A Bob)
    'L R A I O U W Z С К В У О И Я А Ο Η Σ Κ ' +
    // modalities as Russian and Greek reports write them (КТ, МРТ, УЗИ; ΑΤ, ΜΤ)
    'КТ МРТ МСКТ УЗИ ПЭТ ЭКГ РГ ОГК ЭХО ЭЭГ ΑΤ ΜΤ ΥΗ ΗΚΓ ' +
    // and as other languages write them: Polish TK, RTG; Spanish and Italian TC, RM; French TDM,
    // IRM; German MRT, RÖ
    'TK RTG TC RM TDM IRM MRT RÖ EMG CTG ' +
    // clinical abbreviations that stand beside a name in a report (`Jones PEG tube`, `Smith IV
    // access`): tubes and lines, diagnoses, lobes and quadrants, vessels, tests, doses
    'PEG NG NGT IM SC PO CVC ETT TT CVA TIA MI PE DVT CHF AF VT SVT HTN CKD AKI HIV HBV HCV TB ' +
    'UTI URI OSA GCS BMI BP HB WBC RBC PLT INR CRP ESR LFT CBC ABG NAD NPO PRN BID TID QID QD ' +
    'OD OU RUQ LUQ RLQ LLQ RUL RML RLL LUL LLL GI GU ENT OB GYN ICD PCI AVR MVR ASD VSD PDA ' +
    'PFO LAD LCX RCA SVC IVC CBD PSA CEA AFP HCG TSH AAA SAH ACL MCL PCL WO SOR ' +
    // Russian: ИБС (coronary disease), ГБ, СД, ХСН, ЖКТ, ЦНС, ИВЛ, ЧСС, АД, chambers and vessels
    'ИБС ГБ СД ХСН ЖКТ ЦНС ИВЛ ЧСС АД ЛЖ ПЖ ЛП ПП БЦА ОБП ЩЖ МПС ОАК ОАМ ВЧД НПВ ВПВ ДН ХБП ФП ГМ ' +
    // Greek: ΧΑΠ (COPD), ΣΔ (diabetes), ΜΕΘ (ICU)
    'ΧΑΠ ΣΔ ΜΕΘ'
  ).split(' '),
);
