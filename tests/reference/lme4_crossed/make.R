# lmer fits with several grouping factors, crossed and nested, REML and ML, with lmerTest's
# Satterthwaite df.
#   Rscript tests/reference/lme4_crossed/make.R
# Models:
#   penicillin   diameter ~ 1 + (1 | plate) + (1 | sample)          (fully crossed)
#   pastes       strength ~ 1 + (1 | batch/cask)                    (nested: lme4 expands it to
#                (1 | cask:batch) + (1 | batch); cask labels repeat across batches)
#   insteval     y ~ service + (1 | s) + (1 | d)                    (partially crossed, InstEval
#                students 1-200)
#   sleep_uncorr Reaction ~ Days + (Days || Subject)                (uncorrelated terms)
#   study_wave   wellbeing ~ relationship_quality_within + relationship_quality_between
#                + (1 | youth_id) + (1 | wave)                      (shipped study, rows with
#                the within part; wave as a crossed factor of 3 levels)
# Writes
#   fixef.csv    model, reml, term, estimate, std_error, df (Satterthwaite), statistic, p_value
#   varcorr.csv  model, reml, group, var1, var2, vcov, sdcor: as.data.frame(VarCorr(m)) with
#                grp renamed group, the Residual row included, absent names missing
#   fit.csv      model, reml, nobs, loglik, deviance (-2 loglik), reml_criterion (REML fits),
#                aic, bic, sigma, singular, ngroups ("factor=levels;..."), theta (";"-joined, in
#                lme4's order of getME(m, "theta")), theta_names
#   ranef.csv    model, reml, group, level, term, estimate, std_error (condVar)
#   versions.csv, session_info.txt
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
suppressPackageStartupMessages({library(lme4); library(lmerTest)})

fct <- function(d, cols) { for (c in cols) d[[c]] <- factor(d[[c]]); d }
pen <- fct(read_ref(here, "r_datasets", "penicillin.csv"), c("plate", "sample"))
pas <- fct(read_ref(here, "r_datasets", "pastes.csv"), c("batch", "cask"))
ie <- fct(read_ref(here, "r_datasets", "insteval_s200.csv"), c("s", "d", "service"))
sleep <- fct(read_ref(here, "r_datasets", "sleepstudy.csv"), "Subject")
study <- read_ref(here, "shipped_study", "headline.csv")
study <- fct(study[!is.na(study$relationship_quality_within), ], "wave")
specs <- list(
  penicillin = list(diameter ~ 1 + (1 | plate) + (1 | sample), pen),
  pastes = list(strength ~ 1 + (1 | batch/cask), pas),
  insteval = list(y ~ service + (1 | s) + (1 | d), ie),
  sleep_uncorr = list(Reaction ~ Days + (Days || Subject), sleep),
  study_wave = list(wellbeing ~ relationship_quality_within + relationship_quality_between +
                      (1 | youth_id) + (1 | wave), study))

frows <- list(); vrows <- list(); grows <- list(); rrows <- list()
for (nm in names(specs)) for (reml in c(TRUE, FALSE)) {
  m <- lmerTest::lmer(specs[[nm]][[1]], data = specs[[nm]][[2]], REML = reml,
                      control = tight_lmer())
  s <- coef(summary(m, ddf = "Satterthwaite"))
  key <- paste(nm, reml)
  frows[[key]] <- data.frame(model = nm, reml = reml, term = rownames(s),
                             estimate = s[, "Estimate"], std_error = s[, "Std. Error"],
                             df = s[, "df"], statistic = s[, "t value"],
                             p_value = s[, "Pr(>|t|)"], row.names = NULL)
  vc <- as.data.frame(VarCorr(m))
  vrows[[key]] <- data.frame(model = nm, reml = reml, group = vc$grp, var1 = vc$var1,
                             var2 = vc$var2, vcov = vc$vcov, sdcor = vc$sdcor)
  ll <- logLik(m)
  th <- getME(m, "theta")
  grows[[key]] <- data.frame(
    model = nm, reml = reml, nobs = nobs(m), loglik = as.numeric(ll),
    deviance = -2 * as.numeric(ll), reml_criterion = if (reml) unname(REMLcrit(m)) else NA,
    aic = AIC(m), bic = BIC(m), sigma = sigma(m), singular = isSingular(m),
    ngroups = paste(names(ngrps(m)), ngrps(m), sep = "=", collapse = ";"),
    theta = paste(format(th, digits = 15), collapse = ";"),
    theta_names = paste(names(th), collapse = ";"))
  re <- ranef(m, condVar = TRUE)
  for (g in names(re)) {
    pv <- attr(re[[g]], "postVar")
    for (k in seq_along(re[[g]])) {
      rrows[[length(rrows) + 1]] <- data.frame(
        model = nm, reml = reml, group = g, level = rownames(re[[g]]),
        term = names(re[[g]])[k], estimate = re[[g]][[k]],
        std_error = sqrt(if (is.list(pv)) pv[[k]][1, 1, ] else pv[k, k, ]), row.names = NULL)
    }
  }
}
write_ref(do.call(rbind, frows), here, "fixef.csv")
write_ref(do.call(rbind, vrows), here, "varcorr.csv")
write_ref(do.call(rbind, grows), here, "fit.csv")
write_ref(do.call(rbind, rrows), here, "ranef.csv")
write_versions(here, c("lme4", "lmerTest", "Matrix"))
print(do.call(rbind, grows)[, 1:11], digits = 10)
print(do.call(rbind, vrows), digits = 8)
