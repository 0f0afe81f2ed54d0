# lme4::glmer references: binomial (successes/trials and 0/1, logit and probit) and Poisson
# (with an offset; crossed BROOD x LOCATION), Laplace and adaptive Gauss-Hermite nAGQ = 10.
#   Rscript tests/reference/glmer/make.R
# Models in models.R. Writes
#   cbpp_binary.csv  the 0/1 expansion of cbpp fitted by cbpp_binary_laplace
#   fixef.csv    model, term, estimate, std_error (summary()'s: vcov from the finite-difference
#                Hessian of the deviance in (theta, beta), lme4's default), std_error_rx
#                (vcov(use.hessian = FALSE): from the PIRLS RX factor at the optimum),
#                statistic (z), p_value
#   fit.csv      model, family, link, nagq, nobs, loglik, deviance (-2 loglik), aic, bic,
#                singular, theta (";"-joined), theta_names, saturated_loglik (sum of the log
#                density at mu = y), loglik_full. lme4's logLik is the full log-likelihood
#                (binomial coefficients included) for nAGQ = 1, but for nAGQ > 1 it is computed
#                from deviance residuals, i.e. relative to the saturated model; loglik_full puts
#                both on the full scale (loglik + saturated_loglik when nagq > 1).
#   varcorr.csv  model, group, var1, var2, vcov, sdcor (as.data.frame(VarCorr(m)))
#   ranef.csv    model, group, level, term, estimate, std_error (condVar)
#   predictions.csv  model, row (1-based row of the model's data), link (predict, type =
#                "link", offset included), response (type = "response"), population_link
#                (re.form = NA)
#   versions.csv, session_info.txt
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
source(file.path(here, "models.R"))

saturated <- function(m) {
  y <- getME(m, "y"); n <- weights(m)   # y is the proportion, n the trials, for binomial
  if (family(m)$family == "binomial") sum(dbinom(round(y * n), n, y, log = TRUE))
  else sum(dpois(y, y, log = TRUE))
}
write_ref(reference_glmm_data(here)$binary, here, "cbpp_binary.csv")
fits <- reference_glmms(here)
frows <- list(); grows <- list(); vrows <- list(); rrows <- list(); prows <- list()
for (nm in names(fits)) {
  m <- fits[[nm]]
  s <- coef(summary(m))
  rx <- suppressWarnings(vcov(m, use.hessian = FALSE))  # warns that the two differ
  frows[[nm]] <- data.frame(model = nm, term = rownames(s), estimate = s[, 1],
                            std_error = s[, 2],
                            std_error_rx = sqrt(diag(as.matrix(rx))),
                            statistic = s[, 3], p_value = s[, 4], row.names = NULL)
  th <- getME(m, "theta")
  grows[[nm]] <- data.frame(
    model = nm, family = family(m)$family, link = family(m)$link,
    nagq = m@devcomp$dims[["nAGQ"]],
    nobs = nobs(m), loglik = as.numeric(logLik(m)), deviance = -2 * as.numeric(logLik(m)),
    aic = AIC(m), bic = BIC(m), singular = isSingular(m),
    theta = paste(format(th, digits = 15), collapse = ";"),
    theta_names = paste(names(th), collapse = ";"), saturated_loglik = saturated(m))
  grows[[nm]]$loglik_full <- grows[[nm]]$loglik +
    if (grows[[nm]]$nagq > 1) grows[[nm]]$saturated_loglik else 0
  vc <- as.data.frame(VarCorr(m))
  vrows[[nm]] <- data.frame(model = nm, group = vc$grp, var1 = vc$var1, var2 = vc$var2,
                            vcov = vc$vcov, sdcor = vc$sdcor)
  re <- ranef(m, condVar = TRUE)
  for (g in names(re)) {
    pv <- attr(re[[g]], "postVar")
    rrows[[paste(nm, g)]] <- data.frame(model = nm, group = g, level = rownames(re[[g]]),
                                        term = names(re[[g]])[1], estimate = re[[g]][[1]],
                                        std_error = sqrt(pv[1, 1, ]), row.names = NULL)
  }
  prows[[nm]] <- data.frame(model = nm, row = seq_len(nobs(m)),
                            link = unname(predict(m, type = "link")),
                            response = unname(predict(m, type = "response")),
                            population_link = unname(predict(m, re.form = NA, type = "link")))
}
write_ref(do.call(rbind, frows), here, "fixef.csv")
write_ref(do.call(rbind, grows), here, "fit.csv")
write_ref(do.call(rbind, vrows), here, "varcorr.csv")
write_ref(do.call(rbind, rrows), here, "ranef.csv")
write_ref(do.call(rbind, prows), here, "predictions.csv")
write_versions(here, c("lme4", "Matrix"))
print(do.call(rbind, grows)[, c("model", "nagq", "loglik", "saturated_loglik", "loglik_full")],
      digits = 10)
