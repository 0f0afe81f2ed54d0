# Likelihood-ratio tables of lme4's anova(m0, m1, ...) for nested models fitted by REML
# (lme4 refits them by ML first, refit = TRUE) and one refit = FALSE comparison of models with
# the same fixed effects (REML criteria compared as they are).
#   Rscript tests/reference/lme4_lrt/make.R
# Shipped-study models use the rows with relationship_quality_within observed, so every model
# has the same rows. Writes lrt.csv, versions.csv, session_info.txt.
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
suppressPackageStartupMessages(library(lme4))

sleep <- read_ref(here, "r_datasets", "sleepstudy.csv")
sleep$Subject <- factor(sleep$Subject)
study <- read_ref(here, "shipped_study", "headline.csv")
study <- study[!is.na(study$relationship_quality_within), ]
study$ethnicity <- factor(study$ethnicity)

comparisons <- list(
  sleep = list(data = sleep, refit = TRUE, formulas = list(
    Reaction ~ 1 + (1 | Subject),
    Reaction ~ Days + (1 | Subject),
    Reaction ~ Days + (Days | Subject))),
  sleep_reml = list(data = sleep, refit = FALSE, formulas = list(
    Reaction ~ Days + (1 | Subject),
    Reaction ~ Days + (Days | Subject))),
  study = list(data = study, refit = TRUE, formulas = list(
    wellbeing ~ factor(wave) + (1 | youth_id),
    wellbeing ~ relationship_quality_within + relationship_quality_between + factor(wave) +
      (1 | youth_id),
    wellbeing ~ relationship_quality_within + relationship_quality_between + factor(wave) +
      ethnicity + (1 | youth_id))))

rows <- list()
for (nm in names(comparisons)) {
  cmp <- comparisons[[nm]]
  fits <- lapply(cmp$formulas, function(f) lmer(f, data = cmp$data, REML = TRUE,
                                                 control = tight_lmer()))
  # the ML refit anova would make, run to the same tight tolerance
  ml <- lapply(cmp$formulas, function(f) lmer(f, data = cmp$data, REML = FALSE,
                                              control = tight_lmer()))
  names(fits) <- paste0("m", seq_along(fits) - 1)
  a <- suppressWarnings(suppressMessages(
    do.call(anova, c(unname(if (cmp$refit) ml else fits), list(refit = cmp$refit)))))
  # anova orders rows by npar; the formulas are listed in that order, so row i is model i
  stopifnot(nrow(a) == length(fits), !is.unsorted(a$npar))
  rows[[nm]] <- data.frame(
    comparison = nm, model = names(fits), refit = cmp$refit,
    formula = vapply(cmp$formulas, function(f) paste(deparse(f, 500), collapse = ""), ""),
    nobs = vapply(fits, nobs, 0L),
    npar = a$npar, AIC = a$AIC, BIC = a$BIC, logLik = a$logLik, deviance = a$deviance,
    Chisq = a$Chisq, Df = a$Df, p_value = a[["Pr(>Chisq)"]],
    reml_criterion = vapply(fits, function(f) unname(REMLcrit(f)), 0),
    row.names = NULL)
}
out <- do.call(rbind, rows)
write_ref(out, here, "lrt.csv")
write_versions(here, c("lme4", "Matrix"))
print(out[, -4], digits = 10)
