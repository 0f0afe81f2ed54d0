# Type III F tests of lmerTest::anova(type = 3) with Satterthwaite and Kenward-Roger
# denominator df, for the models of ../r_common/lmm_models.R (REML).
#   Rscript tests/reference/lmertest_anova/make.R
# Writes anova.csv, type3_contrasts.csv (the hypothesis matrix L of each term, from
# lmerTest::show_tests), coefficients_satterthwaite.csv, versions.csv, session_info.txt.
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
source(file.path(here, "..", "r_common", "lmm_models.R"))

fits <- reference_lmms(here)
ddfs <- c(satterthwaite = "Satterthwaite", `kenward-roger` = "Kenward-Roger")
rows <- list(); lrows <- list(); crows <- list()
for (nm in names(fits)) {
  for (dd in names(ddfs)) {
    a <- anova(fits[[nm]], type = 3, ddf = ddfs[[dd]])
    rows[[length(rows) + 1]] <- data.frame(
      model = nm, ddf = dd, term = rownames(a), sum_sq = a[["Sum Sq"]],
      mean_sq = a[["Mean Sq"]], num_df = a[["NumDF"]], den_df = a[["DenDF"]],
      F = a[["F value"]], p_value = a[["Pr(>F)"]], row.names = NULL)
  }
  L <- show_tests(anova(fits[[nm]], type = 3))
  for (term in names(L)) {
    m <- as.matrix(L[[term]])
    for (i in seq_len(nrow(m))) {
      lrows[[length(lrows) + 1]] <- data.frame(model = nm, term = term, row = i,
                                               coef = colnames(m), value = m[i, ],
                                               row.names = NULL)
    }
  }
  s <- coef(summary(fits[[nm]], ddf = "Satterthwaite"))
  crows[[length(crows) + 1]] <- data.frame(
    model = nm, term = rownames(s), estimate = s[, "Estimate"], std_error = s[, "Std. Error"],
    df = s[, "df"], statistic = s[, "t value"], p_value = s[, "Pr(>|t|)"], row.names = NULL)
}
write_ref(do.call(rbind, rows), here, "anova.csv")
write_ref(do.call(rbind, lrows), here, "type3_contrasts.csv")
write_ref(do.call(rbind, crows), here, "coefficients_satterthwaite.csv")
write_versions(here, c("lme4", "lmerTest", "pbkrtest", "Matrix"))
print(do.call(rbind, rows), digits = 8)
