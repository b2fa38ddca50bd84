DROP TABLE unsubscribes;
DROP TABLE sequence_enrollments;
DROP TABLE sequences;
