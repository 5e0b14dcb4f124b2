// CopiaLearn: small generative models (autoencoders, VAEs, GANs) trained on the CPU, with training logs people
// already read.
//
// Layout
//   Tensor/      Tensor (Float32, contiguous, row-major, NCHW for images), BLAS (cblas_sgemm, thread count), LearnError
//   Layers/      Module/Layer/Parameter, Linear, Conv2d, ConvTranspose2d (im2col + GEMM), BatchNorm1d/2d, LayerNorm,
//                Dropout, Embedding, ReLU, LeakyReLU, GELU, Sigmoid, Tanh, Flatten, Reshape, Sequential, Initializer
//   Losses/      Losses.meanSquaredError, binaryCrossEntropyWithLogits, crossEntropy, gaussianKL (value + gradient)
//   Optimizers/  SGD (momentum, Nesterov), Adam, AdamW, GradientClipping
//   Schedules/   Constant, Step, Exponential, Cosine (warm-up), OneCycle, ReduceOnPlateau
//   Training/    Checkpoint (SHA-256, exact resume), LearningRateFinder (range test, SVG plot, suggestion)
//   Monitoring/  SummaryWriter (TensorBoard event files + scalars.jsonl), EventFileReader, Histogram, ImageGrid,
//                PNGWriter (stored deflate), CRC32C, SVG plot
//   Models/      VariationalAutoencoder, ConditionalGAN (DCGAN 28x28)
//
// A training loop, end to end:
//
//   BLAS.setThreads(2)                                        // the cores this job owns
//   var rng = CounterRandom(seed: 42, stage: "fit", sample: "vae")
//   let vae = VariationalAutoencoder(inputSize: 784, hiddenSize: 400, latentSize: 20, rng: &rng)
//   let adam = Adam(parameters: vae.allParameters, learningRate: 1e-3)
//   let schedule = CosineSchedule(peak: 1e-3, totalSteps: steps, warmupSteps: 100)
//   let log = try SummaryWriter(logDirectory: "runs/vae")
//   var noise = CounterRandom(seed: 42, stage: "fit-noise", sample: "vae")
//   for step in 0..<steps {
//       adam.learningRate = schedule.learningRate(atStep: step)
//       adam.zeroGradients()
//       let loss = vae.accumulateGradients(batch(step), noise: &noise)
//       let norm = GradientClipping.clipNorm(adam.parameters, maxNorm: 100)
//       adam.step()
//       try log.addScalar("loss", loss.total, step: step)
//       try log.addScalar("learning_rate", Double(adam.learningRate), step: step)
//       try log.addScalar("gradient_norm", norm, step: step)
//   }
//   let sha256 = try Checkpoint.capture(model: vae, optimizer: adam, step: steps).write(to: "runs/vae/final.ckpt")
//
// Determinism: weights, dropout masks and latent draws come from CounterRandom keys, so the same seed trains the
// same weights on the same machine and BLAS thread count (BLAS reductions may differ across thread counts).
