# The data sets shipped with R packages that the reference scripts use, exported as CSV so the
# Python tests fit the same rows.  Run:  Rscript tests/reference/r_datasets/make.R
# Factors are written as their labels; lme4's cake `temperature` (an ordered factor) as its
# label (175 ... 225), bfi items as their 1-6 codes with missing values as empty fields.
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
suppressPackageStartupMessages({library(lme4); library(psych); library(mice)})

write_ref(lme4::sleepstudy, here, "sleepstudy.csv")
cake <- lme4::cake
cake$temperature <- as.character(cake$temperature)
write_ref(cake, here, "cake.csv")
write_ref(lme4::Penicillin, here, "penicillin.csv")
write_ref(lme4::Pastes, here, "pastes.csv")
write_ref(lme4::cbpp, here, "cbpp.csv")
write_ref(lme4::grouseticks, here, "grouseticks.csv")
write_ref(data.frame(row = rownames(psych::bfi), psych::bfi[, paste0("A", 1:5)]), here,
          "bfi_agreeableness.csv")
write_ref(mice::nhanes, here, "nhanes.csv")
# InstEval's students 1-200 (5,461 ratings of 841 lecturers): a partially crossed design
ie <- lme4::InstEval
ie <- ie[as.integer(as.character(ie$s)) <= 200, c("s", "d", "service", "y")]
write_ref(ie, here, "insteval_s200.csv")
write_versions(here, c("lme4", "psych", "mice"))
