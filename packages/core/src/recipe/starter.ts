/**
 * The commented starter recipe `dcmblind recipe init FILE` writes: every section of the format,
 * with values that run as they are (the clinical-trial block filled with placeholders to edit).
 */
export const STARTER_RECIPE = `# dcmblind recipe: what this project keeps, removes or replaces beyond the profile.
# Check it with: dcmblind recipe check FILE    Use it with: dcmblind run ... --recipe FILE
# A changed recipe (or subjects table) is a new configuration: a rerun into an output made
# with another one is refused, as for a changed profile.
format: 1

# The profile and options (PS3.15 Annex E). The command line may add options; a --profile that
# differs from the recipe's is refused.
profile: research
options:
  - retain-safe-private        # vendor private elements PS3.15 Table E.3.10-1 lists as safe

# Dates: shift (by each patient's keyed offset), remove, or keep (full dates).
dates: shift

# Filled into {site} and {project} below.
project: MY-PROJECT
site: SITE-01

# Per-attribute actions, by keyword or tag: keep, remove, empty, dummy, or {replace: "..."}
# (a literal, or a template with {pseudonym}, {site}, {project}). A bare name is the top level;
# Sequence/Attribute is inside that sequence's items; **/Attribute is at any depth.
# Removing or emptying an attribute the IOD requires empties it or gives it a dummy instead.
# Keeping a direct identifier (PatientName, PatientID, birth date, addresses, source UIDs) is
# refused unless dcmblind run is given --allow-identifying.
attributes:
  StudyDescription: keep
  SeriesDescription: keep
  InstitutionName: {replace: "{site}"}
  RequestAttributesSequence/RequestedProcedureDescription: keep
  "**/OperatorsName": remove

# More private elements known to be safe, beyond the standard's table (used with
# retain-safe-private): group, the private creator, the offset in its block, the VR.
safePrivate: []
#  - {group: "0019", creator: "SIEMENS MR HEADER", offset: "0B", vr: DS}

# Written into every file (Clinical Trial Subject and Study Modules). sponsorName and protocolId
# are required; subjectId defaults to the pseudonym.
clinicalTrial:
  sponsorName: "SPONSOR NAME"
  protocolId: "PROTOCOL-ID"
  protocolName: "PROTOCOL NAME"
  siteId: "{site}"
  siteName: "SITE NAME"
  subjectId: "{pseudonym}"
  timePointId: "BASELINE"

# A trial that assigns subject IDs itself: a CSV beside this file with the columns PatientID and
# SubjectID. Listed patients are named by their subject ID instead of the keyed pseudonym; a
# patient missing from it fails (it never falls back to a pseudonym).
# subjects: subjects.csv
`;
