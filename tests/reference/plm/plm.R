# Reference for youthtransitions.models.panel_compare: plm 2.6 (Debian r-cran-plm).
# Rscript plm.R  ->  plm_reference.json
# (estimates, standard errors, t statistics, p values as summary() reports them (t with
# df.residual for the within model, the normal for the random-effects models), df.residual,
# 95% intervals: confint() (confint.default, normal quantiles) and est +- qt(0.975,
# df.residual) se; phtest statistic, df and p value)
suppressPackageStartupMessages({library(plm); library(jsonlite)})
d <- read.csv("panel_data.csv")
d$x_mean <- ave(d$x, d$youth_id)
pd <- pdata.frame(d, index = c("youth_id", "wave"))
fe <- plm(y ~ x + c, data = pd, model = "within")
re <- plm(y ~ x + c, data = pd, model = "random", random.method = "swar")
mu <- plm(y ~ x + c + x_mean, data = pd, model = "random", random.method = "swar")
h <- phtest(fe, re)
co <- function(m, term) {
  s <- summary(m)$coefficients
  list(estimate = s[term, 1], std_error = s[term, 2], statistic = s[term, 3],
       p_value = s[term, 4], df_residual = df.residual(m),
       confint_low = confint(m)[term, 1], confint_high = confint(m)[term, 2],
       conf_t_low = s[term, 1] - qt(0.975, df.residual(m)) * s[term, 2],
       conf_t_high = s[term, 1] + qt(0.975, df.residual(m)) * s[term, 2])
}
write_json(list(
  fixed_effects = co(fe, "x"), random_effects = co(re, "x"), mundlak = co(mu, "x"),
  mundlak_mean = co(mu, "x_mean"), hausman = list(statistic = unname(h$statistic),
                                                   df = unname(h$parameter),
                                                   p_value = unname(h$p.value)),
  ercomp = list(sigma2_idios = re$ercomp$sigma2[["idios"]], sigma2_id = re$ercomp$sigma2[["id"]]),
  version = as.character(packageVersion("plm"))),
  "plm_reference.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
