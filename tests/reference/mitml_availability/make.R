# Logistic model of PMK availability (R glm) on the shipped study's youth-level frame, the
# reference of the former ../mitml/availability_glm.R re-made on data a committed script
# generates.
#   PYTHONPATH=. python tests/reference/mitml_availability/export_data.py
#   Rscript tests/reference/mitml_availability/make.R
# Writes availability_glm.csv (term, estimate, std_error, statistic, p_value, conf_low,
# conf_high (Wald), odds_ratio, or_low, or_high, nobs), versions.csv, session_info.txt.
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))

d <- read.csv(file.path(here, "availability_data.csv"))
covs <- c("age_w1", "gender_male", "qual_subsample", "contextual_risk_w1",
          "individual_risk_w1", "resilience_w1", "wellbeing_w1", "relationship_quality_w1")
fit <- glm(reformulate(covs, response = "pmk_available"), family = binomial, data = d,
           control = glm.control(epsilon = 1e-14, maxit = 100))  # rows with an NA dropped
s <- summary(fit)$coefficients
ci <- confint.default(fit)
out <- data.frame(term = rownames(s), estimate = s[, 1], std_error = s[, 2],
                  statistic = s[, 3], p_value = s[, 4], conf_low = ci[, 1],
                  conf_high = ci[, 2], odds_ratio = exp(s[, 1]), or_low = exp(ci[, 1]),
                  or_high = exp(ci[, 2]), nobs = nobs(fit), row.names = NULL)
write_ref(out, here, "availability_glm.csv")
write_versions(here, "stats")
print(out, digits = 8)
