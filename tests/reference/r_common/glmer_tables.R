# The reference tables of a named list of lme4::glmer fits, shared by glmer/ and glmer_terms/.
# Source after common.R; `write_glmer_tables(fits, here)` writes
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
#   ranef.csv    model, group, level, term, estimate, std_error (condVar), one row per level
#                and column of each grouping factor (ranef merges the terms of one factor)
#   predictions.csv  model, row (1-based row of the model's data), link (predict, type =
#                "link", offset included), response (type = "response"), population_link
#                (re.form = NA)
# and returns fit.csv's table.

saturated_loglik <- function(m) {
  y <- getME(m, "y"); n <- weights(m)   # y is the proportion, n the trials, for binomial
  if (family(m)$family == "binomial") sum(dbinom(round(y * n), n, y, log = TRUE))
  else sum(dpois(y, y, log = TRUE))
}

# Conditional variances of each column of one ranef() data frame: postVar is a q x q x n
# array for one term, a list of such arrays when several terms share the grouping factor.
ranef_variances <- function(re) {
  pv <- attr(re, "postVar")
  if (!is.list(pv)) pv <- list(pv)
  do.call(c, lapply(pv, function(a) lapply(seq_len(dim(a)[1]), function(i) a[i, i, ])))
}

ranef_rows <- function(nm, m) {
  re <- ranef(m, condVar = TRUE)
  rows <- list()
  for (g in names(re)) {
    v <- ranef_variances(re[[g]])
    for (k in seq_along(re[[g]])) {
      rows[[paste(g, k)]] <- data.frame(model = nm, group = g, level = rownames(re[[g]]),
                                        term = names(re[[g]])[k], estimate = re[[g]][[k]],
                                        std_error = sqrt(v[[k]]), row.names = NULL)
    }
  }
  do.call(rbind, rows)
}

write_glmer_tables <- function(fits, here) {
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
      theta_names = paste(names(th), collapse = ";"), saturated_loglik = saturated_loglik(m))
    grows[[nm]]$loglik_full <- grows[[nm]]$loglik +
      if (grows[[nm]]$nagq > 1) grows[[nm]]$saturated_loglik else 0
    vc <- as.data.frame(VarCorr(m))
    vrows[[nm]] <- data.frame(model = nm, group = vc$grp, var1 = vc$var1, var2 = vc$var2,
                              vcov = vc$vcov, sdcor = vc$sdcor)
    rrows[[nm]] <- ranef_rows(nm, m)
    prows[[nm]] <- data.frame(model = nm, row = seq_len(nobs(m)),
                              link = unname(predict(m, type = "link")),
                              response = unname(predict(m, type = "response")),
                              population_link = unname(predict(m, re.form = NA,
                                                               type = "link")))
  }
  fit <- do.call(rbind, grows)
  write_ref(do.call(rbind, frows), here, "fixef.csv")
  write_ref(fit, here, "fit.csv")
  write_ref(do.call(rbind, vrows), here, "varcorr.csv")
  write_ref(do.call(rbind, rrows), here, "ranef.csv")
  write_ref(do.call(rbind, prows), here, "predictions.csv")
  fit
}
