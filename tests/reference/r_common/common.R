# Helpers shared by the reference scripts under tests/reference/. A script finds its own
# folder with
#   here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
#                                                          value = TRUE))))
# then sources this file; every path it writes is relative to `here`, so
# `Rscript tests/reference/<topic>/make.R` works from the repository root (or any folder).
suppressPackageStartupMessages(library(jsonlite))

ref_root <- function(here) normalizePath(file.path(here, ".."))

# Read a data set exported by ../r_datasets/make.R or ../shipped_study/export_data.py.
read_ref <- function(here, folder, file, ...) {
  read.csv(file.path(ref_root(here), folder, file), stringsAsFactors = FALSE, ...)
}

# CSV with 15 significant digits, missing values as empty fields.
write_ref <- function(df, here, file) {
  write.csv(df, file.path(here, file), row.names = FALSE, na = "")
}

write_json_ref <- function(x, here, file) {
  writeLines(toJSON(x, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
             file.path(here, file))
}

# versions.csv (package, version; R itself as package "R") and session_info.txt.
write_versions <- function(here, packages) {
  v <- data.frame(package = c("R", packages),
                  version = c(paste(R.version$major, R.version$minor, sep = "."),
                              vapply(packages, function(p) as.character(packageVersion(p)), "")),
                  row.names = NULL)
  write_ref(v, here, "versions.csv")
  writeLines(capture.output(print(sessionInfo())), file.path(here, "session_info.txt"))
}

# lme4's default stopping rule (nloptwrap BOBYQA, ftol_abs = 1e-8 on the deviance) can stop
# ~1e-3 (relative) short of the optimum in a flat variance component; references are lme4's
# optimum, so its optimiser runs to a tight tolerance (as ../lme4/models.R does).
tight_opt <- list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 0, ftol_rel = 0,
                  maxeval = 1e5)
tight_lmer <- function() lme4::lmerControl(optimizer = "nloptwrap", optCtrl = tight_opt)
tight_glmer <- function() lme4::glmerControl(optimizer = "nloptwrap", optCtrl = tight_opt)
