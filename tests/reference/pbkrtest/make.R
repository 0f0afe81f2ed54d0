# Kenward-Roger coefficient tables, summary(m, ddf = "Kenward-Roger") of lmerTest (standard
# errors from pbkrtest::vcovAdj), for the models of ../r_common/lmm_models.R (REML).
#   Rscript tests/reference/pbkrtest/make.R
# Writes coefficients_kr.csv, vcov.csv (the unadjusted and the Kenward-Roger adjusted
# covariance of the fixed effects, long), versions.csv, session_info.txt.
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
source(file.path(here, "..", "r_common", "lmm_models.R"))
suppressPackageStartupMessages(library(pbkrtest))

long <- function(V, model, kind) {
  V <- as.matrix(V)
  data.frame(model = model, kind = kind, row = rep(rownames(V), ncol(V)),
             col = rep(colnames(V), each = nrow(V)), value = as.vector(V))
}
fits <- reference_lmms(here)
crows <- list(); vrows <- list()
for (nm in names(fits)) {
  s <- coef(summary(fits[[nm]], ddf = "Kenward-Roger"))
  crows[[nm]] <- data.frame(
    model = nm, term = rownames(s), estimate = s[, "Estimate"], std_error = s[, "Std. Error"],
    df = s[, "df"], statistic = s[, "t value"], p_value = s[, "Pr(>|t|)"], row.names = NULL)
  vrows[[paste(nm, 1)]] <- long(vcov(fits[[nm]]), nm, "unadjusted")
  vrows[[paste(nm, 2)]] <- long(vcovAdj(fits[[nm]]), nm, "kenward-roger")
}
write_ref(do.call(rbind, crows), here, "coefficients_kr.csv")
write_ref(do.call(rbind, vrows), here, "vcov.csv")
write_versions(here, c("lme4", "lmerTest", "pbkrtest", "Matrix"))
print(do.call(rbind, crows), digits = 8)
