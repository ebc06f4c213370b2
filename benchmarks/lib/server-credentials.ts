/** Keys the benchmark's mpu server accepts (loopback only, generated for the run's lifetime). */
export const BENCH_CREDENTIALS = { accessKeyId: 'mpu-bench', secretAccessKey: 'mpu-bench-secret' };
// s3rver accepts only its fixed development key pair.
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
