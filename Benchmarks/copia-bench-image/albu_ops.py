#!/usr/bin/env python3
"""albumentations counterpart of copia-bench-image: ms per 256x256 RGB image for each op at its defaults (p=1),
and the ops-only chain of ../../shared/peers/bench_albu.py. One process, one thread, one JSON line per figure;
times are thread CPU time (time.thread_time), as copia-bench-image measures, since the machine is shared.

    OMP_NUM_THREADS=1 ~/.cache/copia-peers/venv/bin/python Benchmarks/copia-bench-image/albu_ops.py [--quick]
"""
import json
import os
import sys
import time

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[v] = "1"
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
import warnings

warnings.filterwarnings("ignore")
import cv2

cv2.setNumThreads(1)
import albumentations as A

quick = "--quick" in sys.argv
root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
img = cv2.imread(os.path.join(root, "SampleData/photos/person/astronaut_01.jpg"), cv2.IMREAD_COLOR)
img = cv2.resize(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), (256, 256), interpolation=cv2.INTER_AREA)

ops = {
    "HorizontalFlip": A.HorizontalFlip(p=1), "VerticalFlip": A.VerticalFlip(p=1), "Rotate": A.Rotate(limit=15, p=1),
    "RandomResizedCrop": A.RandomResizedCrop(size=(224, 224), p=1), "RandomBrightnessContrast": A.RandomBrightnessContrast(p=1),
    "Transpose": A.Transpose(p=1), "RandomRotate90": A.RandomRotate90(p=1), "CenterCrop": A.CenterCrop(224, 224, p=1),
    "RandomCrop": A.RandomCrop(224, 224, p=1), "Resize": A.Resize(224, 224, p=1), "LongestMaxSize": A.LongestMaxSize(224, p=1),
    "SmallestMaxSize": A.SmallestMaxSize(224, p=1), "Pad": A.Pad(16, p=1), "PadIfNeeded": A.PadIfNeeded(288, 288, p=1),
    "Affine": A.Affine(p=1), "Perspective": A.Perspective(p=1), "ElasticTransform": A.ElasticTransform(p=1),
    "GridDistortion": A.GridDistortion(p=1), "ColorJitter": A.ColorJitter(p=1), "HueSaturationValue": A.HueSaturationValue(p=1),
    "RGBShift": A.RGBShift(p=1), "RandomGamma": A.RandomGamma(p=1), "ToGray": A.ToGray(p=1), "InvertImg": A.InvertImg(p=1),
    "Solarize": A.Solarize(p=1), "Posterize": A.Posterize(p=1), "Equalize": A.Equalize(p=1), "AutoContrast": A.AutoContrast(p=1),
    "ChannelShuffle": A.ChannelShuffle(p=1), "GaussianBlur": A.GaussianBlur(p=1), "Blur": A.Blur(p=1),
    "MedianBlur": A.MedianBlur(p=1), "MotionBlur": A.MotionBlur(p=1), "Sharpen": A.Sharpen(p=1), "Emboss": A.Emboss(p=1),
    "Downscale": A.Downscale(p=1), "GaussNoise": A.GaussNoise(p=1), "SaltAndPepper": A.SaltAndPepper(p=1),
    "ISONoise": A.ISONoise(p=1), "CoarseDropout": A.CoarseDropout(p=1), "GridDropout": A.GridDropout(p=1), "Erasing": A.Erasing(p=1),
    "CLAHE": A.CLAHE(p=1), "ImageCompression": A.ImageCompression(p=1),
}


def ms_per_image(transform, n):
    pipe = A.Compose([transform], seed=1)
    for _ in range(3):
        pipe(image=img)
    t0 = time.thread_time()
    for _ in range(n):
        pipe(image=img)
    return 1e3 * (time.thread_time() - t0) / n


n = 5 if quick else 40
print(json.dumps({"bench": "albumentations", "version": A.__version__, "cv2": cv2.__version__, "image": "256x256 RGB 8-bit", "samples": n}))
for name, t in ops.items():
    print(json.dumps({"op": name, "ms_per_image": round(ms_per_image(t, n), 3)}), flush=True)
chain = A.Compose([A.RandomResizedCrop(size=(224, 224)), A.HorizontalFlip(), A.Rotate(limit=15), A.ColorJitter(),
                   A.GaussianBlur(p=0.5), A.GaussNoise(p=0.5)], seed=1)
for _ in range(3):
    chain(image=img)
m = 20 if quick else 400
t0 = time.thread_time()
for _ in range(m):
    chain(image=img)
print(json.dumps({"chain": "bench_albu", "ms_per_image": round(1e3 * (time.thread_time() - t0) / m, 3)}))
