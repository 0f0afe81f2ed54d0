# Reference fits on data sets that ship with R packages (tests/models/test_lmm_datasets.py).
# Run from this folder:  Rscript datasets.R
# Writes each data set as data_<name>.csv and one JSON entry per model (fits.json) with
# lme4 / lmerTest estimates at a tightly converged optimum: fixed effects, SEs,
# Satterthwaite df, VarCorr, sigma^2, logLik, AIC, BIC, isSingular, theta.
# The optimiser is BOBYQA (minqa) with a small final trust radius and 1e5 evaluations, then
# refitted with nloptwrap at tight tolerances from BOBYQA's optimum; the better deviance is
# kept, so the stored values are lme4's optimum, not where its default stopping rule halts.
suppressMessages({library(lme4); library(lmerTest); library(nlme, exclude = "lmList")
                  library(jsonlite)})
source("../lme4/fit_record.R")

## ---- data sets ---------------------------------------------------------------------------
data(cake, package = "lme4")
cake <- data.frame(replicate = as.integer(as.character(cake$replicate)),
                   recipe = as.character(cake$recipe), temp = cake$temp, angle = cake$angle)
data(sleepstudy, package = "lme4")
sleep <- sleepstudy
sleep$Subject <- as.integer(as.character(sleep$Subject))
sleep$Seconds <- sleep$Days * 86400          # Days in seconds: a predictor on a large scale
sleep$Late <- as.integer(sleep$Days >= 5)    # second half of the study
data(Dyestuff, Dyestuff2, package = "lme4")
dye <- data.frame(Batch = as.character(Dyestuff$Batch), Yield = Dyestuff$Yield)
dye2 <- data.frame(Batch = as.character(Dyestuff2$Batch), Yield = Dyestuff2$Yield)
orth <- as.data.frame(nlme::Orthodont)
orth <- data.frame(Subject = as.character(orth$Subject), age = orth$age,
                   Sex = as.character(orth$Sex), distance = orth$distance)
ergo <- as.data.frame(nlme::ergoStool)
ergo <- data.frame(Subject = as.integer(as.character(ergo$Subject)),
                   Type = as.character(ergo$Type), effort = ergo$effort)
mach <- as.data.frame(nlme::Machines)
mach <- data.frame(Worker = as.integer(as.character(mach$Worker)),
                   Machine = as.character(mach$Machine), score = mach$score)
ox <- as.data.frame(nlme::Oxboys)
ox <- data.frame(Subject = as.integer(as.character(ox$Subject)), age = ox$age,
                 height = ox$height, Occasion = as.integer(ox$Occasion))
sets <- list(cake = cake, sleep = sleep, dye = dye, dye2 = dye2, orth = orth, ergo = ergo,
             mach = mach, ox = ox)
for (nm in names(sets)) write.csv(sets[[nm]], sprintf("data_%s.csv", nm), row.names = FALSE)

## ---- models ------------------------------------------------------------------------------
# name, data, lme4 formula, python formula, python random, REML, group
specs <- list(
  list("cake_slope_reml", "cake", angle ~ recipe + temp + (temp | replicate),
       "angle ~ C(recipe) + temp", "temp", TRUE, "replicate"),
  list("cake_slope_ml", "cake", angle ~ recipe + temp + (temp | replicate),
       "angle ~ C(recipe) + temp", "temp", FALSE, "replicate"),
  list("cake_ri_reml", "cake", angle ~ recipe * temp + (1 | replicate),
       "angle ~ C(recipe) * temp", "1", TRUE, "replicate"),
  list("sleep_slope_reml", "sleep", Reaction ~ Days + (Days | Subject),
       "Reaction ~ Days", "Days", TRUE, "Subject"),
  list("sleep_slope_ml", "sleep", Reaction ~ Days + (Days | Subject),
       "Reaction ~ Days", "Days", FALSE, "Subject"),
  list("sleep_seconds_reml", "sleep", Reaction ~ Seconds + Late + (Seconds | Subject),
       "Reaction ~ Seconds + Late", "Seconds", TRUE, "Subject"),
  list("sleep_seconds_ml", "sleep", Reaction ~ Seconds + Late + (Seconds | Subject),
       "Reaction ~ Seconds + Late", "Seconds", FALSE, "Subject"),
  # the seconds models in days: the same models (lmerTest's df differ, see the tests)
  list("sleep_days_late_reml", "sleep", Reaction ~ Days + Late + (Days | Subject),
       "Reaction ~ Days + Late", "Days", TRUE, "Subject"),
  list("sleep_days_late_ml", "sleep", Reaction ~ Days + Late + (Days | Subject),
       "Reaction ~ Days + Late", "Days", FALSE, "Subject"),
  list("sleep_slope_only", "sleep", Reaction ~ Days + (0 + Days | Subject),
       "Reaction ~ Days", "0 + Days", TRUE, "Subject"),
  list("dye_reml", "dye", Yield ~ 1 + (1 | Batch), "Yield ~ 1", "1", TRUE, "Batch"),
  list("dye_ml", "dye", Yield ~ 1 + (1 | Batch), "Yield ~ 1", "1", FALSE, "Batch"),
  list("dye2_singular_reml", "dye2", Yield ~ 1 + (1 | Batch), "Yield ~ 1", "1", TRUE,
       "Batch"),
  list("orth_slope_reml", "orth", distance ~ age + Sex + (age | Subject),
       "distance ~ age + C(Sex)", "age", TRUE, "Subject"),
  list("orth_slope_ml", "orth", distance ~ age * Sex + (age | Subject),
       "distance ~ age * C(Sex)", "age", FALSE, "Subject"),
  list("ergo_ri_reml", "ergo", effort ~ Type + (1 | Subject), "effort ~ C(Type)", "1", TRUE,
       "Subject"),
  list("ergo_ri_ml", "ergo", effort ~ Type + (1 | Subject), "effort ~ C(Type)", "1", FALSE,
       "Subject"),
  list("mach_ri_reml", "mach", score ~ Machine + (1 | Worker), "score ~ C(Machine)", "1",
       TRUE, "Worker"),
  list("mach_q3_reml", "mach", score ~ Machine + (Machine | Worker), "score ~ C(Machine)",
       "C(Machine)", TRUE, "Worker"),
  list("ox_slope_reml", "ox", height ~ age + (age | Subject), "height ~ age", "age", TRUE,
       "Subject"),
  list("ox_slope_ml", "ox", height ~ age + I(age^2) + (age | Subject),
       "height ~ age + I(age**2)", "age", FALSE, "Subject")
)

bobyqa <- lmerControl(optimizer = "bobyqa",
                      optCtrl = list(rhobeg = 0.2, rhoend = 1e-10, maxfun = 1e5))
nlopt <- lmerControl(optimizer = "nloptwrap",
                     optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 0,
                                    ftol_rel = 0, maxeval = 1e5))
criterion <- function(m) if (isREML(m)) REMLcrit(m) else deviance(m)
fits <- list()
for (s in specs) {
  dat <- read.csv(sprintf("data_%s.csv", s[[2]]))  # fit what the tests read
  group <- s[[7]]
  m1 <- lmer(s[[3]], data = dat, REML = s[[6]], control = bobyqa)
  m2 <- lmer(s[[3]], data = dat, REML = s[[6]], control = nlopt, start = getME(m1, "theta"))
  m <- if (criterion(m2) < criterion(m1)) m2 else m1
  fits[[s[[1]]]] <- fit_record(m, sprintf("data_%s.csv", s[[2]]), s[[4]], s[[5]], group,
                                s[[6]], s[[3]])
}
fits[["_versions"]] <- fit_versions()
writeLines(toJSON(fits, digits = NA, auto_unbox = TRUE, pretty = TRUE), "fits.json")
