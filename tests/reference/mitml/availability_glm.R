# Reference for youthtransitions.missing.availability (logistic model of PMK availability).
# availability_data.csv: youth-level columns of synthesize(seed=1), written once by Python.
# Run from this folder:  Rscript availability_glm.R
d <- read.csv("availability_data.csv")
covs <- c("age_w1", "gender_male", "qual_subsample", "contextual_risk_w1",
          "individual_risk_w1", "resilience_w1", "wellbeing_w1", "relationship_quality_w1")
f <- reformulate(covs, response = "pmk_available")
fit <- glm(f, family = binomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))        # rows with a missing covariate dropped
s <- summary(fit)$coefficients
ci <- confint.default(fit)                           # Wald limits
out <- data.frame(term = rownames(s), estimate = s[, 1], std_error = s[, 2],
                  statistic = s[, 3], p_value = s[, 4], conf_low = ci[, 1],
                  conf_high = ci[, 2], odds_ratio = exp(s[, 1]), or_low = exp(ci[, 1]),
                  or_high = exp(ci[, 2]), nobs = nobs(fit), row.names = NULL)
write.csv(out, "availability_glm.csv", row.names = FALSE)
