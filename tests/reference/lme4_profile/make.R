# Profile-likelihood and Wald intervals of lme4's confint() for fixed effects and variance
# parameters, at levels 0.95 and 0.90 (one profile(m) with lme4's defaults, then
# confint(profile, level = ...)).
#   Rscript tests/reference/lme4_profile/make.R
# lme4 profiles the ML deviance even for a REML fit (profile -> devfun2 -> refitML), so the
# REML and ML profile limits agree (to the profile's spline accuracy); `estimate` is the fit's
# own (REML or ML) estimate.
# Models (REML and ML): sleep_slope  Reaction ~ Days + (Days | Subject)  (sleepstudy)
#                       study        wellbeing ~ relationship_quality_within +
#                                    relationship_quality_between + wave + (1 | youth_id)
#                                    (shipped study, rows with relationship_quality_within)
# Writes confint.csv: model, reml, method (profile | wald), level, parameter (broom.mixed
# names: sd__(Intercept), cor__(Intercept).Days, sd__Days, sd__Observation, or the fixed-effect
# term), lme4_name (lme4's .sig01 ... .sigma name), group (Subject, youth_id, Residual, or
# empty for fixed effects), estimate, conf_low, conf_high (Wald limits of variance
# parameters are missing, as lme4 gives them); versions.csv, session_info.txt.
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
suppressPackageStartupMessages(library(lme4))

sleep <- read_ref(here, "r_datasets", "sleepstudy.csv")
sleep$Subject <- factor(sleep$Subject)
study <- read_ref(here, "shipped_study", "headline.csv")
study <- study[!is.na(study$relationship_quality_within), ]
specs <- list(
  sleep_slope = list(Reaction ~ Days + (Days | Subject), sleep),
  study = list(wellbeing ~ relationship_quality_within + relationship_quality_between + wave +
                 (1 | youth_id), study))

# broom.mixed names of the variance parameters in lme4's order (.sig01, .sig02, ..., .sigma)
var_names <- function(m) {
  out <- character(); grp <- character()
  for (g in names(VarCorr(m))) {
    terms <- colnames(VarCorr(m)[[g]])
    for (i in seq_along(terms)) for (j in seq_along(terms)) if (j >= i) {
      out <- c(out, if (i == j) paste0("sd__", terms[i])
               else paste0("cor__", terms[i], ".", terms[j]))
      grp <- c(grp, g)
    }
  }
  list(name = c(out, "sd__Observation"), group = c(grp, "Residual"))
}
estimates <- function(m) {
  vc <- as.data.frame(VarCorr(m), order = "lower.tri")
  c(vc$sdcor, fixef(m))
}

rows <- list()
for (nm in names(specs)) for (reml in c(TRUE, FALSE)) {
  m <- lmer(specs[[nm]][[1]], data = specs[[nm]][[2]], REML = reml,
            control = tight_lmer())
  vn <- var_names(m)
  pr <- profile(m, signames = TRUE)
  for (level in c(0.95, 0.90)) {
    for (method in c("profile", "wald")) {
      ci <- if (method == "profile") confint(pr, level = level)
            else confint(m, method = "Wald", level = level)
      lme4_name <- rownames(ci)
      k <- length(vn$name)
      stopifnot(lme4_name[k] == ".sigma", nrow(ci) == k + length(fixef(m)))
      rows[[length(rows) + 1]] <- data.frame(
        model = nm, reml = reml, method = method, level = level,
        parameter = c(vn$name, names(fixef(m))), lme4_name = lme4_name,
        group = c(vn$group, rep(NA, length(fixef(m)))), estimate = estimates(m),
        conf_low = ci[, 1], conf_high = ci[, 2], row.names = NULL)
    }
  }
}
out <- do.call(rbind, rows)
write_ref(out, here, "confint.csv")
write_versions(here, c("lme4", "Matrix"))
print(out[out$level == 0.95, ], digits = 8)
